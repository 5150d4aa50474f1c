"""Embeddings files for `sphere evaluate`: `.npz` with `embeddings` (N x D float), optional `names`
(N image paths, relative to the benchmark's image root, or bare file names where unique) and optional
`embeddings_flip` (N x D, the features of the horizontally flipped faces). A bare `.npy` is an
`embeddings` array without names (rows in the benchmark's image order, e.g. a `.bin` set).

Files are loaded with `allow_pickle=False`: object arrays and pickles are refused, never executed.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sphere.errors import InputError, MissingFile


@dataclass
class Embeddings:
    face: np.ndarray  # N x D
    flip: np.ndarray | None  # N x D or None
    names: list[str] | None  # N names or None (row order)
    source: str

    def __len__(self) -> int:
        return len(self.face)

    def rows_for(self, images: list[str]) -> np.ndarray:
        """Row of every image (-1 where absent): the exact relative path, else its bare file name when
        that name is unique among the embeddings' names (and the other way round)."""
        if self.names is None:
            raise InputError(f"{self.source}: no 'names' array; this benchmark needs names to find its images")
        full = {n: i for i, n in enumerate(self.names)}
        base: dict[str, int] = {}
        for i, n in enumerate(self.names):
            b = n.rsplit("/", 1)[-1]
            base[b] = -2 if b in base else i  # -2: ambiguous bare name
        rows = np.full(len(images), -1, np.int64)
        for k, image in enumerate(images):
            image = clean_name(image)
            row = full.get(image)
            if row is None:
                row = base.get(image.rsplit("/", 1)[-1], -1)
            rows[k] = max(row, -1)
        return rows


def clean_name(name: str) -> str:
    """Forward slashes, no leading './' or '/', no surrounding blanks."""
    name = str(name).strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def float_matrix(array: np.ndarray, key: str, source: str, check_rows: bool = True) -> np.ndarray:
    """`array` as an N x D float32 matrix, D >= 2 (one column gives every cosine +-1); values beyond float32
    are refused. With `check_rows`, a non-finite or all-zero row is refused too (no cosine can be taken;
    sphere.evaluate.verify judges them itself, to count them as missing on request)."""
    if not isinstance(array, np.ndarray):  # an .npz member that is not a .npy: numpy hands back its bytes
        raise InputError(f"{source}: '{key}' is not a .npy array inside the .npz")
    if array.dtype.kind not in "fiu":
        raise InputError(f"{source}: '{key}' must be a numeric (float) array, got dtype {array.dtype}")
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"{source}: '{key}' must be a non-empty N x D matrix, got shape {array.shape}")
    if array.shape[1] < 2:
        raise InputError(f"{source}: '{key}' has D = 1 column; cosine scores need D >= 2")
    if array.dtype.kind == "f" and array.dtype.itemsize > 4:  # float64 values that float32 turns into inf
        with np.errstate(over="ignore"):
            narrow = array.astype(np.float32)
        wide = np.flatnonzero(np.isfinite(array).all(axis=1) & ~np.isfinite(narrow).all(axis=1))
        if len(wide):
            raise InputError(f"{source}: '{key}' row {int(wide[0])} holds values beyond float32 range (|x| > 3.4e38)")
    if not check_rows:
        return array.astype(np.float32, copy=False)
    bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if len(bad):
        rows = ", ".join(str(int(r)) for r in bad[:5])
        raise InputError(
            f"{source}: '{key}' has non-finite values (NaN or inf) in {len(bad)} row(s): "
            f"{rows}{', ...' if len(bad) > 5 else ''} (0-based)"
        )
    zero = np.flatnonzero(~array.any(axis=1))
    if len(zero):
        rows = ", ".join(str(int(r)) for r in zero[:5])
        raise InputError(
            f"{source}: '{key}' has {len(zero)} all-zero row(s): {rows}{', ...' if len(zero) > 5 else ''} (0-based)"
        )
    return array.astype(np.float32, copy=False)


NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"


def _load(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not (head.startswith(NPY_MAGIC) or head.startswith(ZIP_MAGIC)):
        kind = "an empty file" if not head else ("text" if _looks_like_text(path) else "another binary format")
        raise InputError(f"{path}: not a .npy or .npz file (it is {kind}); write embeddings with numpy.save/savez")
    try:
        with open(path, "rb") as fh:  # closed here however numpy fails (np.load(path) leaks it on a bad zip)
            loaded = np.load(fh, allow_pickle=False)
            if isinstance(loaded, np.ndarray):
                return {"embeddings": loaded}
            with loaded:
                return {key: loaded[key] for key in loaded.files}
    # ValueError: a short or bad array, or object arrays / pickled data (allow_pickle=False); MemoryError: an array
    # header claiming far more data than the file holds; NotImplementedError, RuntimeError: a zip member compressed
    # by an unknown method, or encrypted
    except (ValueError, MemoryError, OSError, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        if isinstance(error, ValueError) and "allow_pickle" in str(error):
            raise InputError(f"{path}: refused: {error} (embeddings must be plain numeric/string arrays)") from None
        raise InputError(f"{path}: not a readable .npz/.npy file: {error}") from None


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def read_embeddings(path: Path | str, lenient: bool = False) -> Embeddings:
    """Read and check an embeddings file; every problem raises InputError naming the file and rows. With
    `lenient`, zero and non-finite rows pass (the caller counts them as missing or refuses them itself)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: a folder, not an embeddings file (.npz/.npy)")
    if not path.is_file():
        raise MissingFile(path, "embeddings file not found")
    arrays = _load(path)
    source = str(path)
    if "embeddings" not in arrays:
        raise InputError(f"{source}: no 'embeddings' array (found: {', '.join(sorted(arrays)) or 'none'})")
    face = float_matrix(arrays["embeddings"], "embeddings", source, not lenient)
    flip = None
    if "embeddings_flip" in arrays:
        flip = float_matrix(arrays["embeddings_flip"], "embeddings_flip", source, not lenient)
        if flip.shape != face.shape:
            raise InputError(f"{source}: 'embeddings_flip' has shape {flip.shape}, 'embeddings' {face.shape}")
    names = None
    if "names" in arrays:
        raw = arrays["names"]
        if raw.dtype.kind not in "US" or raw.ndim != 1:
            raise InputError(f"{source}: 'names' must be a 1-d string array, got dtype {raw.dtype} shape {raw.shape}")
        names = [clean_name(_text(n, source)) for n in raw.tolist()]
        if len(names) != len(face):
            raise InputError(f"{source}: 'names' has {len(names)} entries but 'embeddings' has {len(face)} rows")
        seen: dict[str, int] = {}
        for i, n in enumerate(names):
            if n in seen:
                raise InputError(f"{source}: name {n!r} appears twice (rows {seen[n]} and {i})")
            seen[n] = i
    return Embeddings(face, flip, names, source)


def _text(name: str | bytes, source: str) -> str:
    """A name of a 'names' array as text (a bytes array must hold UTF-8)."""
    if isinstance(name, str):
        return name
    try:
        return name.decode()
    except UnicodeDecodeError:
        raise InputError(f"{source}: 'names' holds {name!r}, not UTF-8 text") from None


def write_embeddings(
    path: Path | str, face: np.ndarray, names: list[str] | None = None, flip: np.ndarray | None = None
) -> Path:
    """Write an embeddings `.npz` in the format `read_embeddings` accepts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {"embeddings": np.asarray(face, np.float32)}
    if names is not None:
        arrays["names"] = np.asarray([str(n) for n in names], dtype=str)
    if flip is not None:
        arrays["embeddings_flip"] = np.asarray(flip, np.float32)
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as its allow_pickle: bool
    return path
