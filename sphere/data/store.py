"""The packed store: aligned faces as one uint8 N x H x W x 3 array plus an index table (DESIGN.md).

Training and feature extraction read only the store, so no JPEG is decoded in the hot loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LANDMARK_COLUMNS = [f"{axis}{i}" for i in range(1, 6) for axis in ("x", "y")]
INDEX_COLUMNS = ["path", "identity", "label", *LANDMARK_COLUMNS, "detection"]
DETECTION_STATES = ("given", "detected", "fallback")


@dataclass
class Store:
    images: np.ndarray  # N x H x W x 3 uint8, RGB
    index: pd.DataFrame

    @property
    def num_classes(self) -> int:
        return int(self.index["label"].max()) + 1 if len(self.index) else 0


def write_store(folder: Path | str, images: np.ndarray, index: pd.DataFrame) -> None:
    """Write `images.npy` and `index.csv`; the images are written first so a half-written store has no index."""
    folder = Path(folder)
    missing = set(INDEX_COLUMNS) - set(index.columns)
    if missing:
        raise ValueError(f"store index lacks columns {sorted(missing)}")
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3 or len(images) != len(index):
        raise ValueError(f"store images must be uint8 N x H x W x 3 matching the index, got {images.shape} {images.dtype}")
    bad = set(index["detection"]) - set(DETECTION_STATES)
    if bad:
        raise ValueError(f"unknown detection states {sorted(bad)}; valid: {DETECTION_STATES}")
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "images.npy", images)
    index[INDEX_COLUMNS + [c for c in index.columns if c not in INDEX_COLUMNS]].to_csv(
        folder / "index.csv", index=False, float_format="%.2f"
    )


def read_store(folder: Path | str, mmap: bool = True) -> Store:
    folder = Path(folder)
    for name in ("images.npy", "index.csv"):
        if not (folder / name).exists():
            raise FileNotFoundError(f"{folder / name}: no packed store here (run `sphere align` first)")
    images = np.load(folder / "images.npy", mmap_mode="r" if mmap else None)
    index = pd.read_csv(folder / "index.csv", dtype={"path": str, "identity": str})
    return Store(images, index)
