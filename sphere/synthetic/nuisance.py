"""Per-image nuisance of the procedural face model: pose, expression, light, camera, occlusion, scene.

Everything an image of an identity varies in that is not the identity (the in-the-wild variation of
CASIA-WebFace and LFW photos, docs/paper.md §3). Continuous fields interpolate linearly so a video renderer
can move slowly between two samples; the few discrete fields (kinds and seeds) switch at t = 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

_DISCRETE = {"discrete": True}

OCCLUSION_KINDS = ("none", "sunglasses", "hand", "bar", "hat")


@dataclass(frozen=True)
class Nuisance:
    """One image's nuisance. Angles in radians; lengths relative to the raw image side unless noted."""

    # pose
    roll: float = 0.0  # in-plane rotation
    yaw: float = 0.0  # out-of-plane, left/right
    pitch: float = 0.0  # out-of-plane, up/down
    scale: float = 1.0  # face size multiplier
    shift_x: float = 0.0  # face centre offset, fraction of the image side
    shift_y: float = 0.0
    # expression
    mouth_open: float = 0.0  # 0..1
    smile: float = 0.0  # -0.5 (frown) .. 1
    brow_raise: float = 0.0  # -1 (frown) .. 1
    squint: float = 0.0  # 0..1
    gaze_x: float = 0.0  # iris offset, fraction of the eye half-width
    gaze_y: float = 0.0
    # illumination and camera
    light_x: float = 0.0  # shading gradient across the face (vector: direction and strength)
    light_y: float = 0.0
    brightness: float = 1.0
    contrast: float = 1.0
    cast_r: float = 1.0  # colour cast (channel gains)
    cast_g: float = 1.0
    cast_b: float = 1.0
    blur: float = 0.0  # Gaussian sigma in px at a 128 px raw side
    noise: float = 0.0  # Gaussian noise std in intensity levels
    jpeg_quality: float = 90.0
    # occlusion
    occ_kind: int = field(default=0, metadata=_DISCRETE)  # index into OCCLUSION_KINDS
    occ_x: float = 0.0  # placement relative to the face, in face units
    occ_y: float = 0.0
    occ_size: float = 1.0
    occ_angle: float = 0.0
    occ_r: float = 0.2  # colour (0..1)
    occ_g: float = 0.2
    occ_b: float = 0.2
    # scene
    glasses_draw: float = 1.0  # glasses are worn when below the identity's glasses probability
    clothes_r: float = 0.3
    clothes_g: float = 0.3
    clothes_b: float = 0.4
    bg_clutter: float = 0.0  # number of clutter shapes / 10
    bg_seed: int = field(default=0, metadata=_DISCRETE)
    noise_seed: int = field(default=0, metadata=_DISCRETE)


def neutral_nuisance() -> Nuisance:
    """Frontal, centred, neutral face under flat light, no degradation (difficulty 0)."""
    return Nuisance()


def sample_nuisance(
    rng: np.random.Generator, difficulty: float = 1.0, jpeg_quality: tuple[int, int] = (40, 95)
) -> Nuisance:
    """Draw one image's nuisance; every magnitude scales with `difficulty` (0 gives a neutral pose)."""
    d = float(difficulty)
    if d < 0:
        raise ValueError(f"difficulty must be >= 0, got {difficulty}")
    lo, hi = jpeg_quality
    if not 1 <= lo <= hi <= 100:
        raise ValueError(f"jpeg_quality must satisfy 1 <= lo <= hi <= 100, got {jpeg_quality}")
    n = rng.standard_normal
    u = rng.random
    light_angle, light_strength = u() * 2 * np.pi, d * 0.7 * u()
    occ_kind = 0
    if u() < min(1.0, 0.35 * d):
        occ_kind = int(rng.integers(1, len(OCCLUSION_KINDS)))
    grey = rng.uniform(0.1, 0.9)
    clothes = np.clip(grey + 0.6 * (rng.random(3) - grey), 0.0, 1.0)
    return Nuisance(
        roll=float(np.clip(n() * np.deg2rad(8) * d, -0.6, 0.6)),
        yaw=float(np.clip(n() * 0.33 * d, -0.75, 0.75)),
        pitch=float(np.clip(n() * 0.12 * d, -0.35, 0.35)),
        scale=float(np.exp(np.clip(n() * 0.10 * d, -0.3, 0.3))),
        shift_x=float(np.clip(n() * 0.04 * d, -0.12, 0.12)),
        shift_y=float(np.clip(n() * 0.04 * d, -0.12, 0.12)),
        mouth_open=float(d * u() ** 2 if u() < 0.4 else 0.0),
        smile=float(d * np.clip(0.2 + 0.45 * n(), -0.5, 1.0)),
        brow_raise=float(d * np.clip(0.5 * n(), -1.0, 1.0)),
        squint=float(d * 0.8 * u() ** 2),
        gaze_x=float(d * np.clip(0.2 * n(), -0.5, 0.5)),
        gaze_y=float(d * np.clip(0.1 * n(), -0.3, 0.3)),
        light_x=float(light_strength * np.cos(light_angle)),
        light_y=float(light_strength * np.sin(light_angle)),
        brightness=float(np.exp(np.clip(n() * 0.15 * d, -0.5, 0.5))),
        contrast=float(np.exp(np.clip(n() * 0.15 * d, -0.5, 0.5))),
        cast_r=float(np.exp(n() * 0.07 * d)),
        cast_g=float(np.exp(n() * 0.05 * d)),
        cast_b=float(np.exp(n() * 0.08 * d)),
        blur=float(d * 1.6 * u() ** 2),
        noise=float(d * 9.0 * u() ** 2),
        jpeg_quality=float(lo + (hi - lo) * u()),
        occ_kind=occ_kind,
        occ_x=float(n() * 0.4),
        occ_y=float(n() * 0.3),
        occ_size=float(np.exp(n() * 0.25)),
        occ_angle=float(n() * 0.4),
        occ_r=float(u()),
        occ_g=float(u()),
        occ_b=float(u()),
        glasses_draw=float(u()),
        clothes_r=float(clothes[0]),
        clothes_g=float(clothes[1]),
        clothes_b=float(clothes[2]),
        bg_clutter=float(d * u()),
        bg_seed=int(rng.integers(0, 2**31 - 1)),
        noise_seed=int(rng.integers(0, 2**31 - 1)),
    )


def interpolate(a: Nuisance, b: Nuisance, t: float) -> Nuisance:
    """Nuisance a fraction `t` of the way from `a` to `b` (t=0 gives a, t=1 gives b).

    Continuous fields move linearly; discrete fields (occlusion kind, seeds) take `a`'s value for
    t < 0.5 and `b`'s from then on.
    """
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be in [0, 1], got {t}")
    if t == 0.0:
        return a
    if t == 1.0:
        return b
    out = {}
    for f in fields(Nuisance):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        out[f.name] = (va if t < 0.5 else vb) if f.metadata.get("discrete") else va + (vb - va) * t
    return replace(a, **out)
