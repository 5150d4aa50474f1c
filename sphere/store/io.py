"""The packed store: aligned faces as one uint8 N x H x W x 3 array plus an index table (docs/formats.md, Store).

Training and feature extraction read only the store, so no JPEG is decoded in the hot loop.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.errors import InputError
from sphere.runtime import atomic_path

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
    """Write `images.npy` and `index.csv`, each atomically; the old index goes first and the new one comes
    last, so a store that a kill or a full disk interrupted has no index and is never read as complete."""
    folder = Path(folder)
    missing = set(INDEX_COLUMNS) - set(index.columns)
    if missing:
        raise ValueError(f"store index lacks columns {sorted(missing)}")
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3 or len(images) != len(index):
        raise ValueError(
            f"store images must be uint8 N x H x W x 3 matching the index, got {images.shape} {images.dtype}"
        )
    bad = set(index["detection"]) - set(DETECTION_STATES)
    if bad:
        raise ValueError(f"unknown detection states {sorted(bad)}; valid: {DETECTION_STATES}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.csv").unlink(missing_ok=True)
    with atomic_path(folder / "images.npy") as tmp, open(tmp, "wb") as fh:
        np.save(fh, images)
    with atomic_path(folder / "index.csv") as tmp:
        index[INDEX_COLUMNS + [c for c in index.columns if c not in INDEX_COLUMNS]].to_csv(
            tmp, index=False, float_format="%.2f"
        )


def load_npy(path: Path, mmap: bool = False) -> np.ndarray:
    """np.load of one array; numpy's own errors ("Cannot parse header", truncated data) name the file."""
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:  # a PK header makes numpy try .npz
        raise InputError(f"{path}: not a readable .npy array ({error})") from None
    if not isinstance(array, np.ndarray):
        raise InputError(f"{path}: an .npz archive, expected one .npy array")
    return array


def check_index(path: Path, index: pd.DataFrame, rows: int) -> None:
    """Refuse an index that does not describe its images: columns, row count, labels, finite landmarks."""
    missing = [c for c in INDEX_COLUMNS if c not in index.columns]
    if missing:
        raise InputError(f"{path}:1: store index lacks columns {missing}")
    if len(index) != rows:
        raise InputError(
            f"{path}: {len(index)} rows for {rows} images in images.npy (a half-written store? "
            "delete the folder and rerun)"
        )
    labels = pd.to_numeric(index["label"], errors="coerce").to_numpy(np.float64)
    coords = index[LANDMARK_COLUMNS].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    for bad, what in (
        (~np.isfinite(labels) | (labels < 0) | (labels % 1 != 0), "label must be an integer >= 0"),
        (~np.isfinite(coords).all(1), "landmarks must be finite numbers"),
        (index["path"].isna().to_numpy(), "path is empty"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"{path}:{row + 2}: {what} (row {row}, path {index['path'].iloc[row]!r})")


def read_store(folder: Path | str, mmap: bool = True) -> Store:
    """The store of `folder`, checked: readable array of N x H x W x 3 uint8 and an index of N valid rows."""
    folder = Path(folder)
    for name in ("images.npy", "index.csv"):
        if not (folder / name).is_file():
            raise InputError(f"{folder / name}: no packed store here (run `sphere align` first)")
    images = load_npy(folder / "images.npy", mmap)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3:
        raise InputError(
            f"{folder / 'images.npy'}: expected uint8 N x H x W x 3 faces, got {images.dtype} {images.shape}"
        )
    from sphere.formats.detections import read_csv_file

    index = read_csv_file(folder / "index.csv", dtype={"path": str, "identity": str})
    check_index(folder / "index.csv", index, len(images))
    return Store(images, index)


def read_features(path: Path | str, store: Store, store_dir: Path | str, mmap: bool = False) -> np.ndarray:
    """Features aligned with a store's index (one row per face): 2-D, one row per store row, all finite.

    A mismatch names both files; a non-finite row names its row and the face's store path.
    """
    path = Path(path)
    features = load_npy(path, mmap)
    index_file = Path(store_dir) / "index.csv"
    if features.ndim != 2 or features.dtype.kind != "f":
        raise InputError(f"{path}: expected a 2-D float array of features, got {features.dtype} {features.shape}")
    if len(features) != len(store.index):
        raise InputError(
            f"{path}: {len(features)} feature rows but {index_file} lists {len(store.index)} faces "
            "(features of another store? rerun `sphere features`)"
        )
    for start in range(0, len(features), 65536):
        bad = ~np.isfinite(features[start : start + 65536]).all(1)
        if bad.any():
            row = start + int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{path}: row {row} ({store.index['path'].iloc[row]!r}) is not finite "
                "(the model diverged? see its status.json)"
            )
    return features
