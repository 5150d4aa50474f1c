"""The packed store: aligned faces as one uint8 N x H x W x 3 array plus an index table (docs/formats.md, Store).

Training and feature extraction read only the store, so no JPEG is decoded in the hot loop. They read it
memory-mapped, so the processes of one machine share the page cache's one copy. `StoreWriter` writes a store
chunk by chunk, so building one needs memory for a chunk, not for the whole set.

This package imports nothing from sphere.formats (which reads stores): the dependency goes one way.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.errors import InputError
from sphere.runtime import atomic_path, write_error

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
    _check_index_columns(index)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[3] != 3 or len(images) != len(index):
        raise ValueError(
            f"store images must be uint8 N x H x W x 3 matching the index, got {images.shape} {images.dtype}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.csv").unlink(missing_ok=True)
    with atomic_path(folder / "images.npy") as tmp, open(tmp, "wb") as fh:
        np.save(fh, images)
    with atomic_path(folder / "index.csv") as tmp:
        index[INDEX_COLUMNS + [c for c in index.columns if c not in INDEX_COLUMNS]].to_csv(
            tmp, index=False, float_format="%.2f"
        )


def _check_index_columns(index: pd.DataFrame) -> None:
    missing = set(INDEX_COLUMNS) - set(index.columns)
    if missing:
        raise ValueError(f"store index lacks columns {sorted(missing)}")
    bad = set(index["detection"]) - set(DETECTION_STATES)
    if bad:
        raise ValueError(f"unknown detection states {sorted(bad)}; valid: {DETECTION_STATES}")


class StoreWriter:
    """Write a store of `count` faces of `size` (H, W) in chunks, in row order, with memory for one chunk.

    The faces go straight to a hidden `images.npy` file and the index rows to a hidden CSV; on a clean exit
    both are checked complete and renamed into place, the index last (the old one removed first), so a failed
    build leaves an earlier store as it was, and one killed while renaming leaves no `index.csv` and is never
    read as a store (as with `write_store`, whose files these are byte for byte).

        with StoreWriter(folder, count, (112, 96)) as writer:
            for faces, rows in chunks:
                writer.add(faces, rows)
    """

    def __init__(self, folder: Path | str, count: int, size: tuple[int, int]) -> None:
        self.folder = Path(folder)
        self.shape = (int(count), int(size[0]), int(size[1]), 3)
        self.written = 0
        pid = os.getpid()
        self._images_tmp = self.folder / f".images.npy.tmp{pid}"
        self._index_tmp = self.folder / f".index.csv.tmp{pid}"
        self._columns: list[str] | None = None

    def __enter__(self) -> StoreWriter:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._images = open(self._images_tmp, "wb")
            self._index = open(self._index_tmp, "w", newline="")
            header = {"descr": "|u1", "fortran_order": False, "shape": self.shape}
            np.lib.format.write_array_header_1_0(self._images, header)
        except OSError as error:
            raise write_error(self.folder / "images.npy", error) from None
        return self

    def add(self, faces: np.ndarray, rows: pd.DataFrame) -> None:
        """Append faces (n x H x W x 3 uint8) and their n index rows."""
        if faces.dtype != np.uint8 or faces.shape[1:] != self.shape[1:] or len(faces) != len(rows):
            raise ValueError(f"expected uint8 n x {self.shape[1:]} faces with n index rows, got {faces.shape}")
        if self.written + len(faces) > self.shape[0]:
            raise ValueError(f"more than the {self.shape[0]} faces announced")
        _check_index_columns(rows)
        if self._columns is None:
            self._columns = INDEX_COLUMNS + [c for c in rows.columns if c not in INDEX_COLUMNS]
        buffer = io.StringIO()
        rows[self._columns].to_csv(buffer, index=False, header=self.written == 0, float_format="%.2f")
        try:
            self._images.write(np.ascontiguousarray(faces).data)
            self._index.write(buffer.getvalue())
        except OSError as error:
            raise write_error(self.folder / "images.npy", error) from None
        self.written += len(faces)

    def __exit__(self, kind, error, trace) -> None:
        self._images.close()
        self._index.close()
        try:
            if kind is None:
                if self.written != self.shape[0]:
                    raise ValueError(f"{self.written} faces written of the {self.shape[0]} announced")
                (self.folder / "index.csv").unlink(missing_ok=True)  # no old index beside new faces, even if killed
                os.replace(self._images_tmp, self.folder / "images.npy")
                os.replace(self._index_tmp, self.folder / "index.csv")
        except OSError as os_error:
            raise write_error(self.folder / "index.csv", os_error) from None
        finally:
            for tmp in (self._images_tmp, self._index_tmp):
                tmp.unlink(missing_ok=True)


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


def read_index_csv(path: Path) -> pd.DataFrame:
    """A store's index.csv (a BOM and blanks after commas accepted); a parse error names the file."""
    try:
        index = pd.read_csv(path, skipinitialspace=True, encoding="utf-8-sig", dtype={"path": str, "identity": str})
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}:1: empty file, expected a CSV header") from None
    except pd.errors.ParserError as error:
        raise InputError(f"{path}: not a valid CSV table: {str(error).strip()}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text ({error.reason} at offset {error.start})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    return index


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
    index = read_index_csv(folder / "index.csv")
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
