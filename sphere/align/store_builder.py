"""Align a folder of raw photos with their 5-point landmarks into a packed store (PAPER.md §3)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from tqdm import tqdm

from sphere.align.similarity import align_face
from sphere.data.landmarks import read_landmarks
from sphere.data.store import LANDMARK_COLUMNS, write_store


def read_rgb(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: unreadable image ({error})") from None


def build_index(paths: list[str], landmarks: list[np.ndarray], detection: list[str]) -> pd.DataFrame:
    """Index rows: the identity is a path's folder; labels follow sorted identity order."""
    identities = [p.split("/")[0] for p in paths]
    label_of = {name: i for i, name in enumerate(sorted(set(identities)))}
    coords = np.asarray(landmarks, np.float64).reshape(len(paths), 10)
    index = pd.DataFrame(coords, columns=LANDMARK_COLUMNS)
    index.insert(0, "path", paths)
    index.insert(1, "identity", identities)
    index.insert(2, "label", [label_of[i] for i in identities])
    index["detection"] = detection
    return index


def align_with_landmarks(root: Path, landmarks_file: Path, out_dir: Path, size: tuple[int, int] = (112, 96),
                         progress: bool = True) -> None:
    """Crop every image named in `landmarks_file` (paths relative to `root`) and write the store."""
    root = Path(root)
    landmarks = read_landmarks(landmarks_file)
    if not landmarks:
        raise ValueError(f"{landmarks_file}: no landmarks listed")
    paths = sorted(landmarks)
    crops = np.empty((len(paths), *size, 3), np.uint8)
    for i, rel in enumerate(tqdm(paths, desc=f"align {Path(out_dir).name}", disable=not progress)):
        crops[i] = align_face(read_rgb(root / rel), landmarks[rel], size)
    write_store(out_dir, crops, build_index(paths, [landmarks[p] for p in paths], ["given"] * len(paths)))
