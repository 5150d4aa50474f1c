"""5-point landmark lists in the released SphereFace format: `path<TAB>x1 y1 ... x5 y5` per line.

Points: left eye, right eye, nose tip, left mouth corner, right mouth corner (image left/right).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def read_landmarks(path: Path | str) -> dict[str, np.ndarray]:
    """Map relative image path -> (5, 2) float32; a malformed line raises naming file and line."""
    path = Path(path)
    landmarks: dict[str, np.ndarray] = {}
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        try:
            if len(fields) != 11:
                raise ValueError(f"expected a path and 10 coordinates, got {len(fields)} fields")
            landmarks[fields[0]] = np.array([float(v) for v in fields[1:]], np.float32).reshape(5, 2)
        except ValueError as error:
            raise ValueError(f"{path}:{lineno}: {error}") from None
    return landmarks


def write_landmarks(path: Path | str, landmarks: dict[str, np.ndarray]) -> None:
    with open(path, "w") as out:
        for name, points in landmarks.items():
            coords = "\t".join(f"{v:.2f}" for v in np.asarray(points, np.float64).reshape(-1))
            out.write(f"{name}\t{coords}\n")
