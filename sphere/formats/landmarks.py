"""5-point landmark lists in the released SphereFace format: `path<TAB>x1 y1 ... x5 y5` per line.

Points: left eye, right eye, nose tip, left mouth corner, right mouth corner (image left/right).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.formats.text import finite_floats, read_lines
from sphere.runtime import atomic_path

# Below this spread (RMS distance of the 5 points from their centre, in px) no similarity transform is defined.
MIN_SPREAD_PX = 0.5


def check_points(points: np.ndarray) -> None:
    """Refuse a degenerate layout (the 5 points coinciding): the least-squares similarity has no solution."""
    spread = float(np.sqrt(((points - points.mean(0)) ** 2).sum(1).mean()))
    if spread < MIN_SPREAD_PX:
        raise ValueError(
            f"degenerate landmarks: the 5 points lie within {spread:.3g} px of their centre "
            f"(at least {MIN_SPREAD_PX} px needed for a similarity transform)"
        )


def read_landmarks(path: Path | str) -> dict[str, np.ndarray]:
    """Map relative image path -> (5, 2) float32; a malformed, non-finite, degenerate or contradicting entry raises
    InputError naming file and line. Fields are tab-separated (paths may hold spaces) or space-separated;
    a BOM, CRLF line ends and blank lines are accepted."""
    path = Path(path)
    landmarks: dict[str, np.ndarray] = {}
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        if "\t" in line:  # the path is the first tab field (it may hold spaces); numbers split on any blank
            name, *rest = [f.strip() for f in line.strip().split("\t")]
            fields = [name, *(v for f in rest for v in f.split())]
        else:
            fields = line.split()
        try:
            if len(fields) != 11:
                raise ValueError(f"expected a path and 10 coordinates, got {len(fields)} fields")
            points = np.array(finite_floats(fields[1:], "coordinates"), np.float32).reshape(5, 2)
            check_points(points)
            if fields[0] in first_line and not np.array_equal(points, landmarks[fields[0]]):
                raise ValueError(
                    f"{fields[0]!r} listed again with other points (first at line {first_line[fields[0]]})"
                )
        except ValueError as error:
            raise InputError(f"{path}:{lineno}: {error}") from None
        landmarks[fields[0]] = points
        first_line.setdefault(fields[0], lineno)
    return landmarks


def write_landmarks(path: Path | str, landmarks: dict[str, np.ndarray]) -> None:
    """Write the list atomically (a killed writer leaves no half list)."""
    with atomic_path(path) as tmp, open(tmp, "w") as out:
        for name, points in landmarks.items():
            coords = "\t".join(f"{v:.2f}" for v in np.asarray(points, np.float64).reshape(-1))
            out.write(f"{name}\t{coords}\n")
