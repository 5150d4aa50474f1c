"""Align a folder of raw photos with their 5-point landmarks into a packed store (docs/paper.md §3; docs/formats.md,
Store)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from tqdm import tqdm

from sphere.align.similarity import align_face
from sphere.errors import InputError
from sphere.formats.detections import read_detections
from sphere.formats.landmarks import read_landmarks
from sphere.formats.sources import as_roots, identity_of, resolve
from sphere.store.io import LANDMARK_COLUMNS, write_store


def read_rgb(path: Path) -> np.ndarray:
    """H x W x 3 uint8 RGB of any image PIL reads, whatever its suffix says (grayscale, CMYK, palette, alpha,
    16-bit, PNG named .jpg); a missing, truncated or undecodable file raises InputError naming it."""
    try:
        with Image.open(path) as image:
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit grey: scale to 8 bits first
                return np.asarray(image.point(lambda v: v / 256).convert("L").convert("RGB"))
            return np.asarray(image.convert("RGB"))
    except FileNotFoundError:
        raise InputError(f"{path}: image not found") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise InputError(f"{path}: unreadable image ({error})") from None


def build_index(
    paths: list[str], landmarks: list[np.ndarray], detection: list[str], identities: list[str] | None = None
) -> pd.DataFrame:
    """Index rows: the identity is a path's folder unless given; labels follow sorted identity order."""
    identities = identities if identities is not None else [p.split("/")[0] for p in paths]
    label_of = {name: i for i, name in enumerate(sorted(set(identities)))}
    coords = np.asarray(landmarks, np.float64).reshape(len(paths), 10)
    index = pd.DataFrame(coords, columns=LANDMARK_COLUMNS)
    index.insert(0, "path", paths)
    index.insert(1, "identity", identities)
    index.insert(2, "label", [label_of[i] for i in identities])
    index["detection"] = detection
    return index


def align_with_landmarks(
    root: Path | list,
    landmarks_file: Path,
    out_dir: Path,
    size: tuple[int, int] = (112, 96),
    progress: bool = True,
    detections: Path | None = None,
    min_images: int = 1,
    exclude: Set[str] = frozenset(),
) -> dict:
    """Crop every image named in `landmarks_file` and write the store; returns the detection counts.

    `root` is one folder the listed paths are relative to, or several whose images form one identity space
    (paths `<root name>/<identity>/<file>`, see `sphere.formats.sources`). `detections` (CSV with columns path,
    detection, from `sphere detect-landmarks`) gives each image's outcome ('detected' or 'fallback'); without
    it every row is 'given'. Identities in `exclude` or with fewer than `min_images` listed images are left out.
    """
    roots = as_roots(root)
    landmarks = read_landmarks(landmarks_file)
    if not landmarks:
        raise InputError(f"{landmarks_file}: no landmarks listed")
    outcome = read_detections(detections) if detections is not None else {}
    if detections is not None and (absent := sorted(set(landmarks) - set(outcome))):
        raise InputError(f"{detections}: no detection outcome for {len(absent)} listed image(s), e.g. {absent[0]!r}")
    identity = {p: identity_of(roots, p) for p in landmarks}
    identity = {p: i for p, i in identity.items() if i not in exclude}
    counts = Counter(identity.values())
    paths = sorted(p for p in identity if counts[identity[p]] >= min_images)
    if not paths:
        raise InputError(f"{landmarks_file}: no identity with at least {min_images} listed image(s)")
    crops = np.empty((len(paths), *size, 3), np.uint8)
    for i, rel in enumerate(tqdm(paths, desc=f"align {Path(out_dir).name}", disable=not progress)):
        image = read_rgb(resolve(roots, rel)[0])
        try:
            crops[i] = align_face(image, landmarks[rel], size)
        except (ValueError, np.linalg.LinAlgError) as error:  # name the list the image and its points came from
            raise InputError(f"{landmarks_file}: {rel}: {error}") from None
    states = [outcome.get(p, "given") for p in paths]
    write_store(out_dir, crops, build_index(paths, [landmarks[p] for p in paths], states, [identity[p] for p in paths]))
    return {
        "images": len(paths),
        "identities": len({identity[p] for p in paths}),
        "dropped_images": len(landmarks) - len(paths),
        **Counter(states),
    }
