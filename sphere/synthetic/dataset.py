"""Write a synthetic training set (CASIA-WebFace layout) and test set (LFW layout with View-2 pairs).

Stands in for CASIA-WebFace -> LFW (paper Sec. 4; docs/formats.md) when real data is absent: train and test identities
are disjoint draws from the same population, test pairs follow LFW View 2 (`pairs.txt`, 10 folds of
same/different pairs, identities disjoint across folds), and every photo comes with a 5-point landmark
line as a detector would give. Every byte is a function of the config (each image has its own random
stream, keyed by seed, split, identity and image index).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict
from itertools import combinations
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sphere.config.synthetic import SyntheticConfig
from sphere.formats.landmarks import write_landmarks

from .identity import Identity, sample_identities
from .nuisance import sample_nuisance
from .render import encode_jpeg, render

FORMAT_VERSION = 1
_TRAIN, _TEST = 0, 1


def casia_name(i: int) -> str:
    return f"{i:07d}"


def lfw_name(i: int) -> str:
    return f"Synth_Person_{i + 1:04d}"


def image_counts(rng: np.random.Generator, n: int, hi: int, lo: int | None) -> np.ndarray:
    return np.full(n, hi) if lo is None else rng.integers(lo, hi + 1, n)


def render_photo(
    cfg: SyntheticConfig, identity: Identity, key: tuple[int, int, int]
) -> tuple[bytes, np.ndarray, np.ndarray]:
    """JPEG bytes, true and written (noisy) landmarks of one photo; key = (split, identity, image)."""
    rng = np.random.default_rng([cfg.seed, 10, *key])
    nu = sample_nuisance(rng, cfg.difficulty, cfg.jpeg_quality)
    img, true = render(identity, nu, cfg.raw_size)
    noisy = true + rng.normal(0.0, cfg.landmark_noise, true.shape) if cfg.landmark_noise > 0 else true
    return encode_jpeg(img, nu.jpeg_quality), true, noisy.astype(np.float32)


def make_pairs(counts: list[int], names: list[str], folds: int, half: int, rng: np.random.Generator) -> list[str]:
    """LFW View-2 `pairs.txt` lines: header, then per fold `half` same and `half` different pairs.

    Identities are split into `folds` disjoint groups (as in View 2); same pairs go round-robin over the
    group's identities, different pairs round-robin over its identity pairs; no pair repeats in a fold.
    """
    lines = [f"{folds}\t{half}"]
    groups = np.array_split(rng.permutation(len(counts)), folds)
    for k, members in enumerate(groups):
        group = sorted(members.tolist(), key=lambda i: names[i])
        same_pool = [i for i in group if counts[i] >= 2]
        need = f"fold {k + 1} has {len(group)} identities"
        if sum(counts[i] * (counts[i] - 1) // 2 for i in same_pool) < half:
            raise ValueError(f"{need}: too few images for {half} distinct same pairs; add test identities or images")
        if sum(counts[i] * counts[j] for i, j in combinations(group, 2)) < half:
            raise ValueError(f"{need}: too few for {half} distinct different pairs; add test identities")
        same: list[str] = []
        used: set = set()
        order = rng.permutation(same_pool).tolist()
        while len(same) < half:
            for i in order:
                if len(same) == half:
                    break
                free = [(a, b) for a, b in combinations(range(1, counts[i] + 1), 2) if (i, a, b) not in used]
                if free:
                    a, b = free[rng.integers(len(free))]
                    used.add((i, a, b))
                    same.append(f"{names[i]}\t{a}\t{b}")
        diff: list[str] = []
        combos = list(combinations(group, 2))
        combos = [combos[c] for c in rng.permutation(len(combos))]
        while len(diff) < half:
            for i, j in combos:
                if len(diff) == half:
                    break
                pick = None
                for _ in range(8):  # random draws first; list what is left only for nearly full pairs
                    a, b = int(rng.integers(1, counts[i] + 1)), int(rng.integers(1, counts[j] + 1))
                    if (i, a, j, b) not in used:
                        pick = (a, b)
                        break
                if pick is None:
                    free = [
                        (a, b)
                        for a in range(1, counts[i] + 1)
                        for b in range(1, counts[j] + 1)
                        if (i, a, j, b) not in used
                    ]
                    pick = free[rng.integers(len(free))] if free else None
                if pick is not None:
                    used.add((i, pick[0], j, pick[1]))
                    diff.append(f"{names[i]}\t{pick[0]}\t{names[j]}\t{pick[1]}")
        lines += same + diff
    return lines


def _render_job(job: tuple) -> tuple[bytes, np.ndarray]:
    cfg, identity, key = job
    data, _, noisy = render_photo(cfg, identity, key)
    return data, noisy


def _write_split(cfg, split, identities, counts, root: Path, path_of, bar, pool) -> dict[str, np.ndarray]:
    """Render and write one split's photos; returns their written (noisy) landmarks by relative path."""
    keys = [(i, j) for i, n in enumerate(counts) for j in range(int(n))]
    jobs = ((cfg, identities[i], (split, i, j)) for i, j in keys)
    results = pool.map(_render_job, jobs, chunksize=16) if pool else map(_render_job, jobs)
    landmarks = {}
    for (i, j), (data, noisy) in zip(keys, results):
        rel = path_of(i, j)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        landmarks[rel] = noisy
        bar.update(1)
    return landmarks


def generate(
    cfg: SyntheticConfig, out_dir: Path, progress: bool = True, overwrite: bool = False, workers: int = 1
) -> None:
    """Write the synthetic train set, LFW-style test set, landmark lists, pairs.txt and manifest.json.

    Refuses to write into a folder that already holds a generated set unless `overwrite` (which
    removes the previous train/ and lfw/ folders first, so no stale photo survives). Every photo has
    its own random stream, so `workers` processes give the same bytes as one.
    """
    out = Path(out_dir)
    train_root, test_root = out / "train", out / "lfw"
    existing = [p for p in (train_root, test_root, out / "manifest.json") if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{out}: already holds {existing[0].name}; pass overwrite=True to regenerate")
    for p in (train_root, test_root):
        if p.exists():
            shutil.rmtree(p)
    out.mkdir(parents=True, exist_ok=True)

    train_ids, _ = sample_identities(
        np.random.default_rng([cfg.seed, 0]), cfg.train_identities, cfg.difficulty, cfg.family_size
    )
    test_ids, _ = sample_identities(
        np.random.default_rng([cfg.seed, 1]), cfg.test_identities, cfg.difficulty, cfg.family_size
    )
    train_n = image_counts(
        np.random.default_rng([cfg.seed, 2]),
        cfg.train_identities,
        cfg.train_images_per_identity,
        cfg.train_images_per_identity_min,
    )
    test_n = image_counts(
        np.random.default_rng([cfg.seed, 3]),
        cfg.test_identities,
        cfg.test_images_per_identity,
        cfg.test_images_per_identity_min,
    )
    names = [lfw_name(i) for i in range(cfg.test_identities)]
    pairs = make_pairs(test_n.tolist(), names, cfg.folds, cfg.pairs_per_fold // 2, np.random.default_rng([cfg.seed, 4]))

    total = int(train_n.sum() + test_n.sum())
    with (
        tqdm(total=total, disable=not progress, desc="synthetic faces", unit="img") as bar,
        ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool,
    ):
        train_landmarks = _write_split(
            cfg, _TRAIN, train_ids, train_n, train_root, lambda i, j: f"{casia_name(i)}/{j + 1:03d}.jpg", bar, pool
        )
        test_landmarks = _write_split(
            cfg,
            _TEST,
            test_ids,
            test_n,
            test_root,
            lambda i, j: f"{names[i]}/{names[i]}_{j + 1:04d}.jpg",
            bar,
            pool,
        )
    write_landmarks(out / "train_landmarks.txt", train_landmarks)
    write_landmarks(out / "lfw_landmarks.txt", test_landmarks)
    (out / "pairs.txt").write_text("\n".join(pairs) + "\n")
    manifest = {
        "generator": "sphere.synthetic",
        "format_version": FORMAT_VERSION,
        "config": asdict(cfg),
        "counts": {
            "train_identities": cfg.train_identities,
            "train_images": int(train_n.sum()),
            "test_identities": cfg.test_identities,
            "test_images": int(test_n.sum()),
            "folds": cfg.folds,
            "pairs": len(pairs) - 1,
        },
        "landmarks": "px; left eye, right eye, nose tip, left and right mouth corner (image left/right)",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
