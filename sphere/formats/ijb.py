"""IJB-B / IJB-C meta files as distributed with insightface's evaluation (docs/formats.md, IJB-B /
IJB-C meta files), and a writer of stand-ins in the same format.

- `<set>_face_tid_mid.txt`: `image template_id media_id` per line;
- `<set>_template_pair_label.txt`: `template1 template2 label` (1 genuine, 0 impostor);
- `<set>_name_5pts_score.txt`: `image x1 y1 ... x5 y5 detector_score`;
- 1:N: `<set>_1N_gallery_G1.csv`, `<set>_1N_gallery_G2.csv`, `<set>_1N_probe_mixed.csv` with a
  header naming at least TEMPLATE_ID, SUBJECT_ID, FILENAME. Scoring takes their template and subject ids
  only: images and media come from `_face_tid_mid.txt` (sphere.evaluate.ijb), as in insightface.

Readers parse with pandas' C parser (15.7M pairs in seconds) and name the file and line of the
first bad value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.errors import InputError


def _table(path: Path | str, columns: int, header: bool = False, dtype: dict | None = None) -> pd.DataFrame:
    """The file as a table; with `dtype`, parsed straight to numbers (fast), falling back to text to
    name the first bad line when a value does not parse."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found")
    if dtype is not None:
        try:
            frame = pd.read_csv(path, sep=r"\s+", header=None, dtype=dtype, engine="c")
            if frame.shape[1] == columns and len(frame) and not frame.isna().to_numpy().any():
                return frame
        except (ValueError, OverflowError, pd.errors.ParserError, pd.errors.EmptyDataError):
            pass  # re-read as text below to say where
    try:
        frame = pd.read_csv(
            path,
            sep=r"\s+" if not header else ",",
            header=0 if header else None,
            dtype=str,
            engine="c",
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: {str(error).strip()}") from None
    if not header and frame.shape[1] != columns:
        raise InputError(f"{path}:1: expected {columns} columns per line, found {frame.shape[1]}")
    if len(frame) == 0:
        raise InputError(f"{path}: no rows")
    return frame


def _numbers(frame: pd.DataFrame, column, path, kind: str, offset: int) -> np.ndarray:
    if frame[column].dtype.kind in "iuf":  # parsed as numbers already
        return frame[column].to_numpy(np.int64 if kind == "int" else np.float64)
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad) == 0 and kind == "int":  # a fraction, or beyond int64
        v = values.to_numpy(np.float64)
        bad = np.flatnonzero((v != np.round(v)) | (np.abs(v) >= 2.0**63))
    if len(bad):
        raise InputError(
            f"{path}:{bad[0] + offset}: expected {'an integer' if kind == 'int' else 'a number'}, "
            f"got {frame[column].iloc[bad[0]]!r} ({len(bad)} bad line(s))"
        )
    return values.to_numpy(np.int64 if kind == "int" else np.float64)


@dataclass
class FaceTable:
    images: list[str]
    templates: np.ndarray
    medias: np.ndarray


def read_face_tid_mid(path: Path | str) -> FaceTable:
    frame = _table(path, 3, dtype={0: str, 1: np.int64, 2: np.int64})
    return FaceTable(frame[0].tolist(), _numbers(frame, 1, path, "int", 1), _numbers(frame, 2, path, "int", 1))


def read_template_pairs(path: Path | str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(template1, template2, label) arrays."""
    frame = _table(path, 3, dtype={0: np.int64, 1: np.int64, 2: np.int64})
    label = _numbers(frame, 2, path, "int", 1)
    bad = np.flatnonzero((label != 0) & (label != 1))
    if len(bad):
        raise InputError(f"{path}:{bad[0] + 1}: label must be 0 or 1, got {label[bad[0]]}")
    return _numbers(frame, 0, path, "int", 1), _numbers(frame, 1, path, "int", 1), label.astype(bool)


def read_5pts_score(path: Path | str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(images, landmarks N x 5 x 2, detector scores), all finite."""
    frame = _table(path, 12, dtype={0: str, **{c: np.float64 for c in range(1, 12)}})
    values = np.stack([_numbers(frame, c, path, "float", 1) for c in range(1, 12)], axis=1)
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if len(bad):
        raise InputError(f"{path}:{bad[0] + 1}: landmarks and detector score must be finite ({len(bad)} bad line(s))")
    return frame[0].tolist(), values[:, :10].reshape(-1, 5, 2), values[:, 10]


@dataclass
class SearchTable:
    """Rows of a 1:N gallery or probe file."""

    templates: np.ndarray
    subjects: np.ndarray
    filenames: list[str]
    medias: np.ndarray | None


def read_1n_csv(path: Path | str) -> SearchTable:
    frame = _table(path, 0, header=True)
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    missing = {"TEMPLATE_ID", "SUBJECT_ID", "FILENAME"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}:1: header lacks {sorted(missing)} (has {list(frame.columns)})")
    medias = _numbers(frame, "SIGHTING_ID", path, "int", 2) if "SIGHTING_ID" in frame.columns else None
    return SearchTable(
        _numbers(frame, "TEMPLATE_ID", path, "int", 2),
        _numbers(frame, "SUBJECT_ID", path, "int", 2),
        [f.strip() for f in frame["FILENAME"].fillna("").tolist()],
        medias,
    )


def meta_paths(meta_dir: Path | str, name: str) -> dict[str, Path]:
    """The meta files of set `name` (ijbb or ijbc) in `meta_dir`."""
    meta = Path(meta_dir)
    return {
        "faces": meta / f"{name}_face_tid_mid.txt",
        "pairs": meta / f"{name}_template_pair_label.txt",
        "landmarks": meta / f"{name}_name_5pts_score.txt",
        "gallery_G1": meta / f"{name}_1N_gallery_G1.csv",
        "gallery_G2": meta / f"{name}_1N_gallery_G2.csv",
        "probe": meta / f"{name}_1N_probe_mixed.csv",
    }
