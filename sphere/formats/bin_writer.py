"""Writer of insightface verification `.bin` sets (the format `verification_bin` reads): a pickle of
(list of encoded images, list of bool issame), images 2i and 2i+1 forming pair i. Used for the
stand-ins the default DAG scores (cfp_fp, agedb_30, ... have no synthetic source of their own)."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
from PIL import Image


def encode(image: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, np.uint8)).save(buffer, format=fmt)
    return buffer.getvalue()


def write_verification_bin(
    path: Path | str, images: list[np.ndarray] | np.ndarray, same: list[bool] | np.ndarray, fmt: str = "PNG"
) -> Path:
    """Write `path`; `images` holds 2 x len(same) H x W x 3 uint8 RGB faces in pair order."""
    same = [bool(s) for s in same]
    if len(images) != 2 * len(same):
        raise ValueError(f"{len(images)} images for {len(same)} pairs (expected {2 * len(same)})")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(([encode(im, fmt) for im in images], same), fh, protocol=4)
    return path


def bin_from_store(store_dir: Path | str, pairs_file: Path | str, out: Path | str) -> Path:
    """A `.bin` of an aligned store's LFW pairs (the default DAG's stand-in for the insightface sets)."""
    from sphere.formats.lfw import read_pairs
    from sphere.store.io import read_store

    store = read_store(store_dir)
    row = {p: i for i, p in enumerate(store.index["path"].astype(str))}
    pairs = read_pairs(pairs_file)
    missing = [p.path1 for p in pairs if p.path1 not in row] + [p.path2 for p in pairs if p.path2 not in row]
    if missing:
        raise ValueError(f"{pairs_file}: {len(missing)} pair images are not in {store_dir}, e.g. {missing[0]}")
    images = [store.images[row[p]] for pair in pairs for p in (pair.path1, pair.path2)]
    return write_verification_bin(out, images, [p.same for p in pairs])
