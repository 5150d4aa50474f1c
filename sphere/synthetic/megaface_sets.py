"""Synthetic MegaFace Challenge 1: a FaceScrub-like probe set and a distractor ladder (paper Sec. 4; docs/formats.md).

Stands in for FaceScrub + the MegaFace distractors when real data is absent, at a scaled-down ladder
(default 10, 100, 1K, 10K distractors instead of up to 1M). Probe and distractor identities are new
draws from the face population, on random streams of their own (tagged apart from `dataset.py` and
`ytf_videos.py`), so they are disjoint from each other and from the training identities. Distractor
identities have 1 to `distractor_images_per_identity` photos each (MegaFace: about 1.5 per person).

Written under `out_dir`, in the devkit's list formats so the same readers as for the real devkit
(`sphere.formats.megaface`) read them:
- `facescrub/<Name>/<Name>_<k>.jpg` and `probe_landmarks.txt` (paths relative to `facescrub/`);
- `megaface/FlickrFinal2/<bucket>/<person>_<k>.jpg` and `distractor_landmarks.txt` (relative to `megaface/`);
- `templatelists/facescrub_features_list.json` (`{"path": [...], "id": [...]}`) and
  `templatelists/megaface_features_list.json_<size>_1` (`{"path": [...]}`) per ladder size: the first
  `size` distractors of one fixed random order, so the sets are nested;
- `manifest.json`: the config and the counts.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sphere.config.synthetic import MegaFaceSynthConfig
from sphere.formats.landmarks import write_landmarks

from .identity import sample_identities
from .nuisance import sample_nuisance
from .render import encode_jpeg, render

FORMAT_VERSION = 1
_TAG = 200  # first element after the seed of every random stream here
_PROBE, _DISTRACTOR = 0, 1
PROBE_LIST = "facescrub_features_list.json"


def distractor_list_name(size: int) -> str:
    """The devkit's distractor list file name for a ladder size."""
    return f"megaface_features_list.json_{size}_1"


def probe_name(i: int) -> str:
    return f"Synth_Celebrity_{i + 1:04d}"


def distractor_path(person: int, k: int) -> str:
    return f"FlickrFinal2/{person // 100:03d}/{person:06d}_{k + 1}.jpg"


def _render_job(job: tuple) -> tuple[bytes, np.ndarray]:
    cfg, identity, key = job
    rng = np.random.default_rng([cfg.seed, _TAG, 10, *key])
    nu = sample_nuisance(rng, cfg.difficulty, cfg.jpeg_quality)
    img, true = render(identity, nu, cfg.raw_size)
    noisy = true + rng.normal(0.0, cfg.landmark_noise, true.shape) if cfg.landmark_noise > 0 else true
    return encode_jpeg(img, nu.jpeg_quality), noisy.astype(np.float32)


def distractor_counts(rng: np.random.Generator, total: int, most: int) -> list[int]:
    """Photos per distractor identity, each 1..most, summing to `total`."""
    counts: list[int] = []
    while sum(counts) < total:
        counts.append(min(int(rng.integers(1, most + 1)), total - sum(counts)))
    return counts


def _write(jobs: list[tuple], rels: list[str], root: Path, pool, bar) -> dict[str, np.ndarray]:
    landmarks = {}
    results = pool.map(_render_job, jobs, chunksize=32) if pool else map(_render_job, jobs)
    for rel, (data, noisy) in zip(rels, results):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        landmarks[rel] = noisy
        bar.update(1)
    return landmarks


def generate_megaface(
    cfg: MegaFaceSynthConfig, out_dir: Path, progress: bool = True, overwrite: bool = False, workers: int = 1
) -> None:
    """Write the probe set, the distractors, their landmark lists and devkit lists (module docstring)."""
    out = Path(out_dir)
    folders = [out / "facescrub", out / "megaface", out / "templatelists"]
    if any(p.exists() for p in [*folders, out / "manifest.json"]) and not overwrite:
        raise FileExistsError(f"{out}: already holds a generated MegaFace set; pass overwrite=True to regenerate")
    for p in folders:
        if p.exists():
            shutil.rmtree(p)
        p.mkdir(parents=True)

    n_distractors = cfg.sizes[-1]
    counts = distractor_counts(
        np.random.default_rng([cfg.seed, _TAG, 3]), n_distractors, cfg.distractor_images_per_identity
    )
    probes, _ = sample_identities(
        np.random.default_rng([cfg.seed, _TAG, 0]), cfg.probe_identities, cfg.difficulty, cfg.family_size
    )
    people, _ = sample_identities(
        np.random.default_rng([cfg.seed, _TAG, 1]), len(counts), cfg.difficulty, cfg.family_size
    )
    names = [probe_name(i) for i in range(cfg.probe_identities)]
    probe_keys = [(i, k) for i in range(cfg.probe_identities) for k in range(cfg.probe_images_per_identity)]
    probe_rels = [f"{names[i]}/{names[i]}_{k + 1}.jpg" for i, k in probe_keys]
    dist_keys = [(p, k) for p, n in enumerate(counts) for k in range(n)]
    dist_rels = [distractor_path(p, k) for p, k in dist_keys]

    with (
        tqdm(
            total=len(probe_keys) + len(dist_keys), disable=not progress, desc="synthetic MegaFace", unit="img"
        ) as bar,
        ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool,
    ):
        probe_lm = _write(
            [(cfg, probes[i], (_PROBE, i, k)) for i, k in probe_keys], probe_rels, out / "facescrub", pool, bar
        )
        dist_lm = _write(
            [(cfg, people[p], (_DISTRACTOR, p, k)) for p, k in dist_keys], dist_rels, out / "megaface", pool, bar
        )
    write_landmarks(out / "probe_landmarks.txt", probe_lm)
    write_landmarks(out / "distractor_landmarks.txt", dist_lm)

    lists = out / "templatelists"
    ids = [names[i] for i, _ in probe_keys]
    (lists / PROBE_LIST).write_text(json.dumps({"path": probe_rels, "id": ids}) + "\n")
    order = np.random.default_rng([cfg.seed, _TAG, 4]).permutation(len(dist_rels))
    for size in cfg.sizes:
        (lists / distractor_list_name(size)).write_text(
            json.dumps({"path": [dist_rels[j] for j in order[:size]]}) + "\n"
        )
    manifest = {
        "generator": "sphere.synthetic.megaface_sets",
        "format_version": FORMAT_VERSION,
        "config": asdict(cfg),
        "counts": {
            "probe_identities": cfg.probe_identities,
            "probe_images": len(probe_keys),
            "distractor_identities": len(counts),
            "distractor_images": len(dist_keys),
            "sizes": list(cfg.sizes),
        },
        "landmarks": "px; left eye, right eye, nose tip, left and right mouth corner (image left/right)",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
