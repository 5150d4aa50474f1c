"""MegaFace Challenge 1 from devkit lists and store features (docs/formats.md).

Glue between the devkit files (`sphere.formats.megaface`) and the metrics (`sphere.protocols.megaface`):
the probe list and one distractor list per ladder size name images; their features are rows of
feature arrays aligned with packed stores (the store's `path` column holds the same relative paths).
An optional noise list is removed from every distractor list first (how many is recorded). When the
lists are nested (each a prefix of the largest, as in `megaface_sets` and the ladder's definition),
one pass over the largest serves all sizes; otherwise each size is scored on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sphere.errors import InputError
from sphere.formats.megaface import (
    read_distractor_list,
    read_noise_list,
    read_probe_list,
    remove_noise,
)
from sphere.protocols.megaface import megaface_ladder, megaface_metrics

DISTRACTOR_LIST = "megaface_features_list.json_{size}_1"


def list_sizes(list_dir: Path | str) -> list[int]:
    """The ladder sizes of the distractor lists in a devkit `templatelists` folder."""
    pattern = re.compile(r"^megaface_features_list\.json_(\d+)_1$")
    sizes = sorted(int(m[1]) for f in Path(list_dir).iterdir() if (m := pattern.match(f.name)))
    if not sizes:
        raise FileNotFoundError(f"{list_dir}: no distractor list 'megaface_features_list.json_<size>_1'")
    return sizes


def thin_roc(roc: dict) -> dict:
    """The ROC points where (FAR, TAR) changes from the previous threshold (the curve is unchanged)."""
    far, tar = np.asarray(roc["far"]), np.asarray(roc["tar"])
    keep = np.ones(len(far), bool)
    keep[1:] = (np.diff(far) != 0) | (np.diff(tar) != 0)
    return {key: np.asarray(values)[keep].tolist() for key, values in roc.items()}


def distractor_list(list_dir: Path | str, size: int) -> str:
    """How messages name the distractor list of a ladder size."""
    return f"{Path(list_dir) / DISTRACTOR_LIST.format(size=size)} (distractor list)"


def rows_of(images: Sequence[str], store_paths: Sequence[str], what: str) -> np.ndarray:
    """Store rows of `images`; InputError naming the list (`what`) and a few images the store lacks."""
    row = {p: i for i, p in enumerate(store_paths)}
    missing = [image for image in images if image not in row]
    if missing:
        raise InputError(f"{what}: {len(missing)} images are not in the store, e.g. {missing[:3]}")
    return np.array([row[image] for image in images], dtype=np.int64)


def evaluate_megaface_lists(
    probe_features: np.ndarray,
    probe_paths: Sequence[str],
    distractor_features: np.ndarray,
    distractor_paths: Sequence[str],
    probe_list: Path,
    list_dir: Path,
    sizes: Sequence[int],
    noise_list: Path | None = None,
    device: str | None = None,
    roc_bins: int = 1000,
) -> dict:
    """Rank-1/CMC (to rank 10), TAR@FAR=1e-6 and ROC per ladder size, with what was removed as noise."""
    images, ids = read_probe_list(probe_list)
    probes = np.asarray(probe_features)[rows_of(images, probe_paths, f"{probe_list} (probe list)")]
    noise = read_noise_list(noise_list) if noise_list else set()
    lists, removed = {}, {}
    for size in sorted({int(s) for s in sizes}):
        kept, removed[size] = remove_noise(
            read_distractor_list(Path(list_dir) / DISTRACTOR_LIST.format(size=size)), noise
        )
        if not kept:
            raise InputError(f"{list_dir}: the {size}-distractor list is empty after noise removal")
        lists[size] = kept
    largest = lists[max(lists)]
    rows = rows_of(largest, distractor_paths, distractor_list(list_dir, max(lists)))
    distractors = np.asarray(distractor_features)[rows]
    nested = all(lists[s] == largest[: len(lists[s])] for s in lists) and len({len(v) for v in lists.values()}) == len(
        lists
    )
    kwargs: dict[str, Any] = {"device": device, "max_rank": 10, "fars": (1e-6,), "roc_bins": roc_bins}
    if nested:
        results = megaface_ladder(probes, ids, distractors, [len(v) for v in lists.values()], **kwargs)
    else:
        results = [
            megaface_metrics(
                probes,
                ids,
                np.asarray(distractor_features)[rows_of(v, distractor_paths, distractor_list(list_dir, s))],
                **kwargs,
            )
            for s, v in lists.items()
        ]
    for size, result in zip(lists, results):
        if "roc" in result["verification"]:
            result["verification"]["roc"] = thin_roc(result["verification"]["roc"])
        result["list_size"] = size
        result["noise_removed"] = removed[size]
    return {
        "protocol": "MegaFace Challenge 1 (probe-vs-distractor CMC; probe genuine vs probe-distractor impostor ROC)",
        "score": "cosine of L2-normalised features (same ranking as the devkit's L2 distance)",
        "noise_list": str(noise_list) if noise_list else None,
        "n_probe_images": len(images),
        "n_probe_identities": len(set(ids)),
        "nested_lists": nested,
        "results": results,
    }
