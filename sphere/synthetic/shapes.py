"""Small geometry and colour helpers shared by the face model, occluders and background."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np


class Part(NamedTuple):
    """One thing to draw, in the face frame (x right, y down, z toward the camera).

    `mode` says how depth is found: "surface" (on the face surface, `z` added on top), "flat" (depth is
    `z`), "silhouette" (a head outline: narrows under yaw instead of shifting with depth).
    """

    kind: str  # "poly" (filled), "line" (open polyline) or "points" (not drawn: landmarks)
    xy: np.ndarray  # (n, 2)
    z: np.ndarray | float
    colour: tuple[int, int, int]
    mode: str = "surface"
    width: float = 0.0  # line width in face units


def lerp(lo: float, hi: float, u: float) -> float:
    """Linear map of a gene u in [0, 1] onto [lo, hi]."""
    return lo + (hi - lo) * u


def rgb(c) -> tuple[int, int, int]:
    """Clip a colour to 0..255 ints."""
    return tuple(min(255, max(0, int(v))) for v in c)  # type: ignore[return-value]


def scale_rgb(c, k: float) -> tuple[float, float, float]:
    return (c[0] * k, c[1] * k, c[2] * k)


def mix(c0, c1, t: float) -> tuple[float, float, float]:
    """Colour a fraction t of the way from c0 to c1."""
    return tuple(x + (y - x) * t for x, y in zip(c0, c1, strict=True))


def ramp(colours: tuple, u: float) -> tuple[float, float, float]:
    """Piecewise-linear colour ramp through `colours`, u in [0, 1]."""
    pos = min(1.0, max(0.0, u)) * (len(colours) - 1)
    i = min(int(pos), len(colours) - 2)
    return mix(colours[i], colours[i + 1], pos - i)


@cache
def unit_circle(n: int) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    out = np.stack([np.cos(t), np.sin(t)], 1)
    out.flags.writeable = False
    return out


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 16) -> np.ndarray:
    """Polygon (n, 2) approximating an axis-aligned ellipse."""
    return unit_circle(n) * (rx, ry) + (cx, cy)


def rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


@lru_cache(maxsize=64)
def _unit_superellipse(power: float, n: int) -> np.ndarray:
    c, s = unit_circle(n).T
    q = 2.0 / power
    out = np.stack([np.sign(c) * np.abs(c) ** q, np.sign(s) * np.abs(s) ** q], 1)
    out.flags.writeable = False
    return out


def superellipse(cx: float, cy: float, rx: float, ry: float, power: float, n: int = 16) -> np.ndarray:
    """Polygon of |x/rx|^power + |y/ry|^power = 1 (power 2: ellipse, larger: boxier)."""
    return _unit_superellipse(round(power, 2), n) * (rx, ry) + (cx, cy)
