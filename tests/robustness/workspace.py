"""A tiny complete workspace for the robustness corpus: raw photos, landmarks, an aligned LFW-layout store,
pairs, features, a trained model with checkpoints, a config, YTF and MegaFace stand-ins, and earlier
outputs under out/ that no failing command may touch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from PIL import Image

from sphere.align.similarity import template_for
from sphere.align.store_builder import align_with_landmarks
from sphere.cli import main
from sphere.formats.landmarks import write_landmarks
from sphere.store.io import INDEX_COLUMNS, write_store

NAMES = ("Ann", "Bob", "Cyd", "Dan")
PAIRS = "2 2\nAnn 1 2\nBob 1 3\nAnn 1 Bob 2\nCyd 1 Dan 1\nCyd 2 3\nDan 1 2\nAnn 3 Cyd 3\nBob 1 Dan 3\n"
SPLITS = (
    "split number, pair id, first name, second name, is same\n"
    "1, 1, P0/0, P0/1, 1\n1, 2, P1/0, P2/0, 0\n2, 1, P2/0, P2/1, 1\n2, 2, P3/0, P0/0, 0\n"
)
TRAIN = {
    "model": "sphereface4",
    "width": 0.125,
    "feature_dim": 8,
    "batch_size": 8,
    "iterations": 4,
    "lr_steps": [3],
    "log_every": 2,
    "checkpoint_every": 2,
    "device": "cpu",
    "threads": 1,
}


def config() -> dict:
    """A valid config of two methods on the workspace's data (source: folders)."""
    return {
        "run": "corpus",
        "results": "results",
        "crop": [28, 24],
        "train": dict(TRAIN),
        "annealing": {"base": 1000, "gamma": 0.3, "power": 1, "lambda_min": 5},
        "methods": {"softmax": {"loss": "softmax"}, "asoftmax-m4": {"loss": "asoftmax", "params": {"m": 4}}},
        "tables": {"accuracy_vs_m": ["softmax", "asoftmax-m4"]},
    }


def plain_store(folder: Path, paths: list[str], rng: np.random.Generator) -> None:
    """A store of random 28x24 faces at `paths` (identity = first folder)."""
    index = pd.DataFrame({c: 1.0 for c in INDEX_COLUMNS}, index=range(len(paths)))
    index["path"] = paths
    index["identity"] = [p.split("/")[0] for p in paths]
    index["label"] = index["identity"].map({n: i for i, n in enumerate(sorted(set(index["identity"])))})
    index["detection"] = "given"
    write_store(folder, rng.integers(0, 255, (len(paths), 28, 24, 3), dtype=np.uint8), index)


def build(ws: Path) -> None:
    """Write the whole workspace into `ws`."""
    rng = np.random.default_rng(0)
    points = {}
    for name in NAMES:
        (ws / "raw" / name).mkdir(parents=True)
        for k in (1, 2, 3):
            path = f"{name}/{name}_{k:04d}.jpg"
            Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(ws / "raw" / path)
            points[path] = template_for(64, 64) + rng.normal(0, 1, (5, 2))
    write_landmarks(ws / "landmarks.txt", points)
    align_with_landmarks(ws / "raw", ws / "landmarks.txt", ws / "store", (28, 24), progress=False)
    (ws / "pairs.txt").write_text(PAIRS)
    np.save(ws / "features.npy", rng.normal(size=(12, 16)).astype(np.float32))
    (ws / "config.yaml").write_text(yaml.safe_dump(config(), sort_keys=False))
    main(
        [
            "train",
            "--config",
            str(ws / "config.yaml"),
            "--method",
            "softmax",
            "--store",
            str(ws / "store"),
            "--out",
            str(ws / "model"),
        ]
    )
    # YouTube Faces: 4 people x 2 videos x 2 frames, 2 splits of 1 + 1 pairs
    plain_store(ws / "ytf", [f"P{i}/{v}/{v}.{f}.jpg" for i in range(4) for v in (0, 1) for f in (1, 2)], rng)
    (ws / "splits.txt").write_text(SPLITS)
    np.save(ws / "ytf.npy", rng.normal(size=(16, 16)).astype(np.float32))
    # MegaFace: 3 probe identities x 2 images, 10 distractors, ladder 5 and 10
    probes = [f"{n}/{n}_{k}.png" for n in NAMES[:3] for k in (1, 2)]
    plain_store(ws / "probe", probes, rng)
    plain_store(ws / "distractor", [f"d/{i}.jpg" for i in range(10)], rng)
    (ws / "lists").mkdir()
    (ws / "lists" / "facescrub.json").write_text(json.dumps({"path": probes, "id": [p.split("/")[0] for p in probes]}))
    for size in (5, 10):
        (ws / "lists" / f"megaface_features_list.json_{size}_1").write_text(
            json.dumps({"path": [f"d/{i}.jpg" for i in range(size)]})
        )
    np.save(ws / "probe.npy", rng.normal(size=(6, 16)).astype(np.float32))
    np.save(ws / "distractor.npy", rng.normal(size=(10, 16)).astype(np.float32))
    # earlier outputs: a failing command must leave every byte of out/ as it was
    for name in (
        "lfw/lfw.json",
        "lfw/pairs.csv",
        "ytf.json",
        "megaface.json",
        "features.npy",
        "store/images.npy",
        "store/index.csv",
    ):
        (ws / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / "out" / name).write_text(f"earlier {name}\n")
