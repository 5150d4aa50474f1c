"""Face geometry and colours from an identity's genes plus an image's expression.

The face lives in a face frame: x to the image right, y down, z toward the camera, unit = about half a
face width, origin at the centre of the head outline. `build_face` returns the parts to draw (back to
front) and the 5 landmarks of docs/paper.md §3 (left eye, right eye, nose tip, left and right mouth corner;
"left" = image left) as a last, non-drawn part; `render` projects them all at once. The parts that do
not depend on the image (head, hair, nose) are built once per identity and cached.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .identity import Identity
from .nuisance import Nuisance
from .occlusion import occluder_parts
from .shapes import (
    Part,
    ellipse,
    lerp,
    mix,
    ramp,
    rgb,
    scale_rgb,
    superellipse,
    unit_circle,
)

SKIN_RAMP = ((78, 50, 38), (138, 94, 68), (196, 150, 118), (242, 208, 188))
HAIR_RAMP = ((225, 196, 140), (170, 128, 78), (108, 72, 42), (58, 40, 28), (20, 16, 14))
IRIS_RAMP = ((55, 33, 20), (105, 68, 35), (118, 108, 52), (78, 118, 70), (70, 108, 160))
AUBURN, GREY, LIP_RED = (150, 62, 32), (192, 190, 186), (178, 70, 80)
HEAD_DEPTH = 0.65  # face-surface height above the outline plane, in face half-widths

_R11 = np.linspace(-1.0, 1.0, 11)
_ENV11 = np.sqrt(1 - _R11**2)
_R13 = np.linspace(-1.0, 1.0, 13)
_ENV13 = np.sqrt(1 - _R13**2)
_BOW13 = 1 - 0.3 * np.exp(-((_R13 / 0.2) ** 2))
_R9 = np.linspace(0.0, 1.0, 9)
_SIN9 = np.sin(np.pi * _R9)
_UP25 = np.linspace(0.0, np.pi, 25)
_TOP25 = np.stack([-np.cos(_UP25), -np.sin(_UP25)], 1)
_BUMPS25 = np.abs(np.sin(6.5 * _UP25))
_XS15 = np.linspace(-1.02, 1.02, 15)
_OUT_C, _OUT_S = unit_circle(48).T
_SHOULDERS = np.vstack([ellipse(0.0, 2.7, 2.4, 1.3, 32)[16:], [(2.4, 6.0), (-2.4, 6.0)]])


class Face(NamedTuple):
    parts: list[Part]  # back to front; the last is the landmarks (kind "points")
    outline_index: int  # the skin outline, for the illumination mask
    a: float  # face half-width
    b: float  # face half-height


class _Static(NamedTuple):
    """What an identity looks like regardless of the image: sizes, colours, and fixed parts."""

    a: float
    b: float
    y_e: float  # eye line
    y_n: float  # nose tip
    y_m: float  # mouth line
    ex: float  # eye half spacing
    ew: float  # eye half-width
    skin: tuple
    hair: tuple
    behind: list[Part]  # back hair, neck (clothes go after these)
    head: list[Part]  # ears, outline, beard, mole
    nose: list[Part]
    front: list[Part]  # front hair


def surface_depth(xy: np.ndarray, a: float, b: float) -> np.ndarray:
    """Height of the face surface above the outline plane (a half-ellipsoid)."""
    q = 1.0 - (xy[:, 0] / a) ** 2 - (xy[:, 1] / (1.25 * b)) ** 2
    return HEAD_DEPTH * a * np.sqrt(np.maximum(q, 0.0))


@lru_cache(maxsize=256)
def _static(g: Identity) -> _Static:
    a = lerp(0.88, 1.08, g.face_width)
    b = a * lerp(1.18, 1.42, g.face_aspect)
    w = g.skin_warmth - 0.5
    skin = tuple(c + k * w for c, k in zip(ramp(SKIN_RAMP, g.skin_tone), (22.0, 4.0, -22.0), strict=True))
    hair = ramp(HAIR_RAMP, g.hair_dark)
    hair = mix(hair, AUBURN, max(0.0, g.hair_red - 0.65) * 2.2)
    hair = mix(hair, GREY, max(0.0, g.hair_grey - 0.75) * 3.5)
    y_e = -b * lerp(0.0, 0.15, g.eye_height)
    y_n = y_e + b * lerp(0.30, 0.42, g.nose_length)
    y_m = y_n + b * lerp(0.22, 0.32, g.mouth_gap)

    # Hair behind the head: the upper outline grown by the volume (bumpy if curly), down to a length.
    vol = a * lerp(0.04, 0.30, g.hair_volume) * (0.3 if g.hairline > 0.85 else 1.0)
    y_bot = lerp(y_e - 0.3 * b, 1.35 * b, g.hair_length**1.3)
    w_bot = a + vol * lerp(0.3, 1.3, g.hair_length)
    curl = 1.0 + max(0.0, g.hair_curl - 0.5) * 0.16 * _BUMPS25
    back = np.vstack([[(-w_bot, y_bot)], _TOP25 * (a + vol, b + vol) * curl[:, None], [(w_bot, y_bot)]])
    nk = a * lerp(0.48, 0.66, g.neck_width)
    neck = np.array([(-nk, 0.4 * b), (nk, 0.4 * b), (1.08 * nk, 1.7 * b), (-1.08 * nk, 1.7 * b)])
    behind = [
        Part("poly", back, 0.0, rgb(hair), "silhouette"),
        Part("poly", neck, 0.0, rgb(scale_rgb(skin, 0.8)), "silhouette"),
    ]

    # Ears, then the head outline: a superellipse whose lower half narrows into the jaw.
    er = lerp(0.85, 1.2, g.ear_size)
    head = [
        Part(
            "poly",
            ellipse(side * a, 0.5 * (y_e + y_n), 0.15 * a * er, 0.2 * b * er, 12),
            -0.35 * a,
            rgb(scale_rgb(skin, 0.9)),
            "flat",
        )
        for side in (-1, 1)
    ]
    p = 2.0 / lerp(2.0, 3.0, g.face_square)
    taper = lerp(0.05, 0.33, g.jaw_taper)
    ox = a * np.sign(_OUT_C) * np.abs(_OUT_C) ** p * (1 - taper * np.maximum(_OUT_S, 0) ** 2)
    outline = np.stack([ox, b * np.where(_OUT_S > 0, np.abs(_OUT_S) ** p, _OUT_S)], 1)
    head.append(Part("poly", outline, 0.0, rgb(skin), "silhouette"))

    # Beard: lower outline from a cover-dependent height, closed by a moustache line above the mouth.
    beard = min(1.0, max(0.0, (g.beard - 0.72) / 0.2))
    if beard > 0:
        mw = a * lerp(0.27, 0.40, g.mouth_width)
        y_side = lerp(y_m, y_e + 0.35 * b, g.beard_cover)
        low = outline[outline[:, 1] > y_side]
        low = low[np.argsort(np.arctan2(low[:, 1] - y_side, low[:, 0]))]
        must = np.array([(-1.15 * mw, y_m - 0.1 * a), (0.0, y_m - 0.2 * a), (1.15 * mw, y_m - 0.1 * a)])
        head.append(Part("poly", np.vstack([low, must]), 0.0, rgb(mix(skin, hair, 0.35 + 0.6 * beard))))
    if g.mole > 0.8:
        mole = ellipse(lerp(-0.6, 0.6, g.mole_x) * a, lerp(y_e + 0.15 * b, y_m, g.mole_y), 0.03 * a, 0.03 * a, 8)
        head.append(Part("poly", mole, 0.0, rgb(scale_rgb(skin, 0.45))))

    # Nose: shaded body from the bridge to the wings (protruding toward the tip), nostrils, tip highlight.
    nw = a * lerp(0.13, 0.22, g.nose_width)
    bw = a * lerp(0.04, 0.08, g.nose_bridge)
    y0 = y_e + 0.12 * b
    hb = [
        (bw, y0),
        (0.8 * nw, y_n - 0.12 * a),
        (nw, y_n - 0.02 * a),
        (0.6 * nw, y_n + 0.04 * a),
        (0.0, y_n + 0.05 * a),
    ]
    body = np.array(hb + [(-x, y) for x, y in hb[-2::-1]])
    protrude = 0.45 * a * np.clip((body[:, 1] - y0) / (y_n - y0), 0, 1) * (1 - 0.5 * np.abs(body[:, 0]) / nw)
    nose = [Part("poly", body, protrude, rgb(scale_rgb(skin, 0.9)))]
    nose += [
        Part(
            "poly",
            ellipse(side * 0.5 * nw, y_n + 0.02 * a, 0.2 * nw, 0.1 * nw, 8),
            0.25 * a,
            rgb(scale_rgb(skin, 0.45)),
        )
        for side in (-1, 1)
    ]
    nose.append(
        Part(
            "poly",
            ellipse(0.0, y_n - 0.04 * a, 0.35 * nw, 0.25 * nw, 10),
            0.42 * a,
            rgb(scale_rgb(skin, 1.08)),
        )
    )

    # Front hair: from the hairline curve up to the top of the (grown) outline.
    front = []
    y_h = y_e - b * lerp(0.45, 0.85, g.hairline)
    if y_h > -0.98 * b:
        hl = y_h + 0.25 * b * _XS15**4 + lerp(-0.1, 0.1, g.hair_parting) * b * _XS15
        hl = hl + max(0.0, g.fringe - 0.6) * 0.45 * b * (1 - _XS15**2)
        ra, rb = a + 0.5 * vol, b + 0.5 * vol
        t0 = np.arcsin(min(1.0, max(-1.0, -hl[-1] / rb)))
        t1 = np.pi - np.arcsin(min(1.0, max(-1.0, -hl[0] / rb)))
        arc_t = np.linspace(t0, t1, 15)
        poly = np.concatenate([np.stack([_XS15 * a, hl], 1), np.stack([ra * np.cos(arc_t), -rb * np.sin(arc_t)], 1)])
        front.append(Part("poly", poly, 0.0, rgb(hair), "silhouette"))

    ex = a * lerp(0.33, 0.42, g.eye_spacing)
    ew = a * lerp(0.15, 0.21, g.eye_size)
    return _Static(a, b, y_e, y_n, y_m, ex, ew, skin, hair, behind, head, nose, front)


def build_face(g: Identity, nu: Nuisance) -> Face:
    """Parts and landmarks of identity `g` with the expression (and glasses, clothes) of `nu`."""
    st = _static(g)
    a, b, y_e, y_m, ex, ew, skin, hair = st.a, st.b, st.y_e, st.y_m, st.ex, st.ew, st.skin, st.hair
    clothes = Part(
        "poly",
        _SHOULDERS,
        0.0,
        rgb((nu.clothes_r * 255, nu.clothes_g * 255, nu.clothes_b * 255)),
        "silhouette",
    )
    parts: list[Part] = [*st.behind, clothes, *st.head]
    outline_index = len(st.behind) + 3
    add = parts.append

    # Brows, raised (or drawn together at the inner ends) by the expression.
    eh = ew * lerp(0.38, 0.6, g.eye_open) * (1 - 0.6 * nu.squint)
    y_b = y_e - ew * 0.55 - a * lerp(0.08, 0.17, g.brow_gap) - 0.06 * a * nu.brow_raise
    th = a * lerp(0.035, 0.095, g.brow_thickness) * (1 - 0.5 * _R9)
    half = ew * lerp(1.05, 1.4, g.brow_length)
    brow_y = y_b - a * lerp(0.0, 0.08, g.brow_arch) * _SIN9 + 0.04 * a * min(nu.brow_raise, 0.0) * (1 - _R9)
    brow_y = brow_y - np.tan(lerp(-0.2, 0.2, g.brow_angle)) * (2 * _R9 - 1) * half
    brow_rgb = rgb(scale_rgb(hair, 0.8))
    for side in (-1, 1):
        bx = side * (ex - half + 2 * half * _R9)
        poly = np.concatenate([np.stack([bx, brow_y - th / 2], 1), np.stack([bx, brow_y + th / 2], 1)[::-1]])
        add(Part("poly", poly, 0.03 * a, brow_rgb))

    # Eyes: socket shade, almond white, iris and pupil (gaze) clipped to the almond, upper lid.
    tilt = lerp(-0.12, 0.15, g.eye_tilt)
    ir = ew * lerp(0.42, 0.56, g.iris_size)
    iris_rgb = rgb(ramp(IRIS_RAMP, g.iris_hue))
    lid_top, lid_bot = -eh * _ENV11, 0.75 * eh * _ENV11
    almond0 = np.concatenate([np.stack([ew * _R11, lid_top], 1), np.stack([ew * _R11, lid_bot], 1)[-2:0:-1]])
    socket_rgb, lash_rgb = rgb(scale_rgb(skin, 0.94)), rgb(scale_rgb(hair, 0.4))
    ct, sn = np.cos(tilt), np.sin(tilt)
    eyes = []
    for side in (-1, 1):
        cx, cy = side * ex, y_e
        eyes.append((cx, cy))
        rot_t = np.array([[ct, -side * sn], [side * sn, ct]])
        add(Part("poly", ellipse(cx, cy - 0.1 * eh, 1.2 * ew, 1.1 * eh + 0.05 * a, 12), 0.0, socket_rgb))
        add(Part("poly", almond0 @ rot_t + (cx, cy), 0.0, (236, 232, 226)))
        gx, gy = cx + nu.gaze_x * ew * 0.5, cy + nu.gaze_y * eh * 0.5
        for radius, colour in ((ir, iris_rgb), (0.45 * ir, (15, 12, 12))):
            disc = ellipse(gx, gy, radius, radius, 14)
            dx = disc[:, 0] - cx
            disc[:, 1] = np.clip(
                disc[:, 1], cy + np.interp(dx, ew * _R11, lid_top), cy + np.interp(dx, ew * _R11, lid_bot)
            )
            disc[:, 0] = np.clip(disc[:, 0], cx - ew, cx + ew)
            add(Part("poly", disc, 0.01 * a, colour))
        add(Part("line", almond0[:11] @ rot_t + (cx, cy), 0.02 * a, lash_rgb, width=0.035 * a))
    parts.extend(st.nose)

    # Mouth: seam curved by the smile, lips around it, dark opening and teeth when open.
    mw = a * lerp(0.27, 0.40, g.mouth_width) * (1 + 0.12 * nu.smile)
    seam = y_m - 0.08 * a * nu.smile * _R13**2 + 0.02 * a * nu.smile * (1 - _R13**2)
    gap = nu.mouth_open * 0.16 * a * _ENV13
    up_lo, lo_hi = seam - 0.3 * gap, seam + 0.7 * gap
    up_hi = up_lo - a * lerp(0.03, 0.075, g.upper_lip) * _ENV13 * _BOW13
    lo_lo = lo_hi + a * lerp(0.04, 0.095, g.lower_lip) * _ENV13
    mx = mw * _R13
    lip = mix(skin, LIP_RED, lerp(0.25, 0.6, g.lip_red))

    def band(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        return np.concatenate([np.stack([mx, top], 1), np.stack([mx, bottom], 1)[::-1]])

    if nu.mouth_open > 0.02:
        add(Part("poly", band(up_lo, lo_hi), 0.05 * a, (60, 25, 30)))
        add(Part("poly", band(up_lo, np.minimum(up_lo + 0.05 * a * _ENV13, lo_hi)), 0.05 * a, (225, 220, 205)))
    add(Part("poly", band(up_hi, up_lo), 0.05 * a, rgb(lip)))
    add(Part("poly", band(lo_hi, lo_lo), 0.05 * a, rgb(lip)))
    add(Part("line", np.stack([mx, seam], 1), 0.05 * a, rgb(scale_rgb(lip, 0.55)), width=0.02 * a))
    parts.extend(st.front)

    # Glasses: worn in this image when the draw falls below the identity's probability.
    if nu.glasses_draw < min(1.0, max(0.0, (g.glasses - 0.72) / 0.15)):
        frame = rgb(mix((150, 120, 90), (15, 15, 18), g.glasses_dark))
        power = lerp(2.0, 4.0, g.glasses_shape)
        for cx, cy in eyes:
            lens = superellipse(cx, cy, 1.45 * ew, 1.05 * ew, power, 16)
            add(Part("line", np.vstack([lens, lens[:1]]), 0.12 * a, frame, width=0.035 * a))
        bridge = np.array([(-ex + 1.45 * ew, y_e - 0.2 * ew), (ex - 1.45 * ew, y_e - 0.2 * ew)])
        add(Part("line", bridge, 0.25 * a, frame, width=0.035 * a))

    parts.extend(occluder_parts(nu, a, b, y_e, y_m, ex, ew))
    landmarks = np.array([*eyes, (0.0, st.y_n), (mx[0], seam[0]), (mx[-1], seam[-1])])
    add(Part("points", landmarks, np.array([0.0, 0.0, 0.45 * a, 0.05 * a, 0.05 * a]), (0, 0, 0)))
    return Face(parts, outline_index, a, b)
