"""The `sphere evaluate` rows of the corpus (issue 24 item 1): every bad input the issue lists, one line and
exit 2, plus valid-but-unusual inputs that must be scored. The workspace's raw/ folder is an LFW layout
(Ann/Ann_0001.jpg ...) of 64x64 photos, pairs.txt its 2-fold pair list, model/model.pt a 28x24 sphere model."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from cases import Case  # noqa: I001  (sibling module of the corpus)
from workspace import NAMES

from sphere.formats.bin_writer import write_verification_bin

PATHS = [f"{n}/{n}_{k:04d}.jpg" for n in NAMES for k in (1, 2, 3)]
OUT = ("--out", "{ws}/out/eval")
ON_RAW = ("--benchmark", "lfw", "--root", "{ws}/raw", "--pairs", "{ws}/pairs.txt", "--device", "cpu", *OUT)


def embeddings(name: str = "emb.npz", change: Callable[[np.ndarray], np.ndarray] | None = None, **arrays):
    def spoil(ws: Path) -> None:
        face = np.random.default_rng(3).normal(size=(len(PATHS), 8)).astype(np.float32)
        if change is not None:
            face = change(face)
        np.savez(ws / name, embeddings=face, names=np.array(PATHS), **arrays)

    return spoil


def rows(values: float, which: slice | list[int]) -> Callable[[np.ndarray], np.ndarray]:
    def change(face: np.ndarray) -> np.ndarray:
        face[which] = values
        return face

    return change


def scripted(kind: str) -> Callable[[Path], None]:
    """A TorchScript model: `scalar` (returns one number), `column` (N x 1), `linear` (28x24 crops -> 8-d)."""

    def spoil(ws: Path) -> None:
        import torch

        if kind == "scalar":
            module = torch.nn.Flatten(0)
        elif kind == "column":
            module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 28 * 24, 1))
        else:
            module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 28 * 24, 8))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.jit.script(module).save(str(ws / "m.ts"))

    return spoil


def both(*spoils: Callable[[Path], None]) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        for s in spoils:
            s(ws)

    return spoil


def folder(name: str) -> Callable[[Path], None]:
    return lambda ws: (ws / name).mkdir()


def remove(name: str) -> Callable[[Path], None]:
    return lambda ws: (ws / name).unlink()


def bin_with_issame(values: list) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        write_verification_bin(ws / "set.bin", list(np.zeros((2 * len(values), 28, 24, 3), np.uint8)), values)
        encoded, _ = pickle.loads((ws / "set.bin").read_bytes())
        (ws / "set.bin").write_bytes(pickle.dumps((encoded, values)))

    return spoil


def nothing(ws: Path) -> None:
    pass


EMB = ("evaluate", "--embeddings", "{ws}/emb.npz", "--benchmark", "lfw", "--pairs", "{ws}/pairs.txt", *OUT)
MODEL = ("evaluate", "--model", "{ws}/model/model.pt", *ON_RAW)
TS = ("evaluate", "--model", "{ws}/m.ts", *ON_RAW)

EVALUATE_CASES = [
    Case("eval-embeddings-missing", nothing, EMB, 2, r"emb\.npz: embeddings file not found"),
    Case("eval-embeddings-folder", folder("emb.npz"), EMB, 2, r"emb\.npz: a folder, not an embeddings file"),
    Case("eval-model-missing", nothing, ("evaluate", "--model", "{ws}/no.pt", *ON_RAW), 2, r"no\.pt: model file not"),
    Case(
        "eval-root-missing",
        nothing,
        MODEL[:6] + ("{ws}/noroot",) + MODEL[7:],
        2,
        r"noroot: image folder \(--root\) not found",
    ),
    Case(
        "eval-image-missing",
        remove("raw/Ann/Ann_0001.jpg"),
        MODEL,
        2,
        r"raw/Ann/Ann_0001\.jpg: image not found \(1 of 12 images are missing; --allow-missing",
    ),
    Case("eval-image-missing-allowed", remove("raw/Ann/Ann_0001.jpg"), (*MODEL, "--allow-missing"), 0, r"1 of 12"),
    Case(
        "eval-image-missing-mtcnn-allowed",
        both(remove("raw/Ann/Ann_0001.jpg"), folder("w")),
        (*MODEL, "--allow-missing", "--align", "mtcnn", "--mtcnn-weights", "{ws}/w"),
        2,
        r"w/pnet\.pt: MTCNN weight file missing",  # past the missing image: the weights are what is wrong
    ),
    Case(
        "eval-pairs-missing",
        embeddings(),
        EMB[:6] + ("{ws}/nopairs.txt",) + EMB[7:],
        2,
        r"nopairs\.txt: (file )?not found",
    ),
    Case(
        "eval-megaface-lists-empty",
        both(embeddings(), folder("emptylists")),
        (
            "evaluate",
            "--embeddings",
            "{ws}/emb.npz",
            "--benchmark",
            "megaface",
            "--probe-list",
            "{ws}/lists/facescrub.json",
            "--lists",
            "{ws}/emptylists",
            *OUT,
        ),
        2,
        r"emptylists: no distractor list",
    ),
    Case(
        "eval-ijb-meta-missing",
        embeddings(),
        ("evaluate", "--embeddings", "{ws}/emb.npz", "--benchmark", "ijbc", "--meta", "{ws}/nometa", *OUT),
        2,
        r"nometa",
    ),
    Case("eval-scalar-output", scripted("scalar"), (*TS, "--input-size", "28", "24"), 2, r"returned shape \(\d+,\)"),
    Case("eval-n-by-1-output", scripted("column"), (*TS, "--input-size", "28", "24"), 2, r"returned shape \(12, 1\)"),
    Case("eval-wrong-input-size", scripted("linear"), (*TS, "--input-size", "20", "20"), 2, r"failed on a 12 x 3 x 20"),
    Case("eval-zero-input-size", scripted("linear"), (*TS, "--input-size", "0", "0"), 2, r"two positive integers"),
    Case("eval-torchscript-no-size", scripted("linear"), TS, 2, r"m\.ts: a TorchScript model does not say its input"),
    Case("eval-torchscript-size-given", scripted("linear"), (*TS, "--input-size", "28", "24"), 0),
    Case(
        "eval-sphere-size-conflict",
        nothing,
        (*MODEL, "--input-size", "56", "48"),
        2,
        r"model\.pt: the model takes 28x24 inputs but --input-size says 56x48",
    ),
    Case("eval-sphere-no-flags", nothing, MODEL, 0),
    Case("eval-text-as-npz", lambda ws: (ws / "emb.npz").write_text("a,b\n1,2\n"), EMB, 2, r"emb\.npz: not a .*text"),
    Case(
        "eval-text-as-npy",
        lambda ws: (ws / "emb.npy").write_text("0.1 0.2\n"),
        ("evaluate", "--embeddings", "{ws}/emb.npy", "--benchmark", "lfw", "--pairs", "{ws}/pairs.txt", *OUT),
        2,
        r"emb\.npy: not a \.npy or \.npz file \(it is text\)",
    ),
    Case("eval-all-zero-rows", embeddings(change=rows(0.0, slice(None))), EMB, 2, r"12 embedding row\(s\) are zero"),
    Case("eval-half-zero-rows", embeddings(change=rows(0.0, slice(0, 6))), EMB, 2, r"6 embedding row\(s\) are zero"),
    Case("eval-nan-row", embeddings(change=rows(np.nan, [4])), EMB, 2, r"non-finite \(rows 4, 0-based\)"),
    Case("eval-zero-row-allowed", embeddings(change=rows(0.0, [0])), (*EMB, "--allow-missing"), 0, r"count as missing"),
    Case("eval-float16", embeddings(change=lambda f: f.astype(np.float16)), EMB, 0),
    Case(
        "eval-bin-issame-2",
        both(bin_with_issame([2, 0, 1]), embeddings("e.npy")),
        ("evaluate", "--embeddings", "{ws}/emb.npz", "--benchmark", "cfp_fp", "--bin", "{ws}/set.bin", *OUT),
        2,
        r"set\.bin: issame must be 0/1",
    ),
    Case(
        "eval-bin-model",
        bin_with_issame([1, 0] * 10),
        ("evaluate", "--model", "{ws}/model/model.pt", "--benchmark", "cfp_fp", "--bin", "{ws}/set.bin", *OUT),
        0,
    ),
]
