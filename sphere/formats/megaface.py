"""MegaFace Challenge 1 devkit files (docs/formats.md).

Facts relied on (devkit README and `matio.py`, public users of the devkit):

- Feature file: one per image, `<image path><ending>` with an ending such as `_sphere.bin` (the
  devkit appends its `file_ending` argument to the image path). Binary, little endian: four int32
  (rows = dim, cols = 1, element size = 4, OpenCV type = 5 i.e. CV_32F), then rows float32 values.
- Probe list `templatelists/facescrub_features_list.json`: `{"path": [...], "id": [...]}` with
  paths like `Name/Name_123.png` and the identity of each.
- Distractor lists `templatelists/megaface_features_list.json_<size>_1` (size 10 ... 1000000):
  `{"path": [...]}` with paths like `FlickrFinal2/<a>/<b>.jpg`.
- Distractor noise list (published separately, e.g. `megaface_noises.txt`): text, one image path
  per line; blank lines and lines starting with '#' are ignored and, where a line has
  tab-separated fields, the last field is the path.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.formats.text import read_lines, read_text

HEADER = struct.Struct("<4i")
CV_32F = 5


def feature_file(root: Path | str, image: str, ending: str) -> Path:
    """The devkit's feature file for `image`: `<root>/<image><ending>`, e.g. ending `_sphere.bin`."""
    return Path(root) / f"{image}{ending}"


def write_feature_bin(path: Path | str, vec: np.ndarray) -> None:
    """Write one feature in the devkit's OpenCV-matrix format (rows = dim, cols = 1, CV_32F)."""
    vec = np.asarray(vec, dtype="<f4")
    if vec.ndim != 1 or vec.size == 0:
        raise ValueError(f"{path}: a feature must be a non-empty 1-D vector, got shape {vec.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(HEADER.pack(vec.size, 1, 4, CV_32F) + vec.tobytes())


def read_feature_bin(path: Path | str) -> np.ndarray:
    """Read one devkit feature file as a float32 vector; a malformed header raises naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: feature file not found") from None
    if len(data) < HEADER.size:
        raise InputError(f"{path}: {len(data)} bytes, shorter than the 16-byte header")
    rows, cols, elem_size, cv_type = HEADER.unpack_from(data)
    if cols != 1 or elem_size != 4 or cv_type != CV_32F or rows <= 0:
        raise InputError(
            f"{path}: header (rows={rows}, cols={cols}, elem_size={elem_size}, type={cv_type}) is not "
            f"a float32 column vector (rows>0, cols=1, elem_size=4, type={CV_32F})"
        )
    if len(data) != HEADER.size + 4 * rows:
        raise InputError(
            f"{path}: header promises {rows} floats ({HEADER.size + 4 * rows} bytes), file has {len(data)} bytes"
        )
    vec = np.frombuffer(data, dtype="<f4", offset=HEADER.size).astype(np.float32)
    if not np.isfinite(vec).all():
        raise InputError(f"{path}: value {int(np.flatnonzero(~np.isfinite(vec))[0])} of {rows} is not finite")
    return vec


def load_features(root: Path | str, images: Sequence[str], ending: str) -> np.ndarray:
    """Stack the feature files of `images` (N x D float32); all must have the same dimension."""
    if not images:
        raise ValueError("no images to load")
    first = read_feature_bin(feature_file(root, images[0], ending))
    out = np.empty((len(images), first.size), np.float32)
    out[0] = first
    for i, image in enumerate(images[1:], start=1):
        path = feature_file(root, image, ending)
        vec = read_feature_bin(path)
        if vec.size != first.size:
            raise InputError(f"{path}: dimension {vec.size}, expected {first.size} like the first file")
        out[i] = vec
    return out


def _read_json(path: Path, keys: tuple[str, ...]) -> dict:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise InputError(f"{path}: expected a JSON object with keys {list(keys)}")
    for key in keys:
        values = data[key]
        if not isinstance(values, list) or not all(isinstance(v, (str, int)) for v in values):
            raise InputError(f"{path}: '{key}' must be a list of strings")
    return data


def read_probe_list(path: Path | str) -> tuple[list[str], list[str]]:
    """FaceScrub probe list `{"path": [...], "id": [...]}` -> (image paths, identities)."""
    path = Path(path)
    data = _read_json(path, ("path", "id"))
    if len(data["path"]) != len(data["id"]):
        raise InputError(f"{path}: {len(data['path'])} paths but {len(data['id'])} ids")
    return [str(p) for p in data["path"]], [str(i) for i in data["id"]]


def read_distractor_list(path: Path | str) -> list[str]:
    """Distractor list `megaface_features_list.json_<size>_1`, `{"path": [...]}` -> image paths."""
    return [str(p) for p in _read_json(Path(path), ("path",))["path"]]


def read_noise_list(path: Path | str) -> set[str]:
    """Image paths of a noise list (one per line; '#' comments; last tab field when tab-separated)."""
    noise = set()
    for line in read_lines(path):
        line = line.strip()
        if line and not line.startswith("#"):
            noise.add(line.split("\t")[-1].strip())
    return noise


def remove_noise(images: Sequence[str], noise: set[str]) -> tuple[list[str], int]:
    """The images not in `noise`, order kept, and how many were removed (record both)."""
    kept = [image for image in images if image not in noise]
    return kept, len(images) - len(kept)
