"""Partial occluders of the face (sunglasses, a hand, a bar, a hat), placed in the face frame."""

from __future__ import annotations

import numpy as np

from .nuisance import OCCLUSION_KINDS, Nuisance
from .shapes import Part, ellipse, lerp, rgb, rotation, superellipse

_SKINS = ((90, 58, 42), (150, 105, 78), (205, 160, 130), (238, 205, 185))
_FINGERS = np.linspace(-0.55, 0.55, 4)


def occluder_parts(nu: Nuisance, a: float, b: float, y_e: float, y_m: float, ex: float, ew: float) -> list[Part]:
    """Parts of the occluder chosen by `nu.occ_kind` (none for kind 0), drawn over the face.

    Occluders sit in front of the face (flat depth), so they move with the head under pose.
    """
    kind = OCCLUSION_KINDS[nu.occ_kind]
    colour = (nu.occ_r * 255, nu.occ_g * 255, nu.occ_b * 255)
    if kind == "none":
        return []
    if kind == "sunglasses":
        dark = rgb(tuple(c * 0.15 + 10 for c in colour))
        parts = [
            Part("poly", superellipse(s * ex, y_e, 1.45 * ew, 1.05 * ew, 3.0), 0.7 * a, dark, "flat") for s in (-1, 1)
        ]
        bridge = np.array([(-ex + 1.4 * ew, y_e - 0.3 * ew), (ex - 1.4 * ew, y_e - 0.3 * ew)])
        return parts + [Part("line", bridge, 0.8 * a, dark, "flat", width=0.05 * a)]
    if kind == "hand":
        size = 0.55 * a * nu.occ_size
        c = np.array([nu.occ_x * a, y_m + 0.4 * nu.occ_y * b])
        rot = rotation(nu.occ_angle)
        tone = _SKINS[min(int(nu.occ_r * len(_SKINS)), len(_SKINS) - 1)]
        parts = [Part("poly", ellipse(0, 0, 0.75 * size, size, 14) @ rot.T + c, 0.9 * a, rgb(tone), "flat")]
        for k, fx in enumerate(_FINGERS):
            length = size * (1.6 + 0.25 * (k in (1, 2)))
            finger = np.array([(fx * size, -0.5 * size), (fx * size * 1.1, -length)]) @ rot.T + c
            parts.append(Part("line", finger, 0.9 * a, rgb(tone), "flat", width=0.3 * size))
        return parts
    if kind == "bar":
        c = np.array([nu.occ_x * a, 0.5 * (y_e + y_m) + nu.occ_y * b])
        box = np.array([(-1.6, -1), (1.6, -1), (1.6, 1), (-1.6, 1)]) * (a, 0.16 * a * nu.occ_size)
        return [Part("poly", box @ rotation(nu.occ_angle).T + c, 0.9 * a, rgb(colour), "flat")]
    # hat: crown above a brim that sits on the forehead
    y_brim = y_e - b * lerp(0.3, 0.5, min(1.0, max(0.0, 0.5 + nu.occ_y)))
    w = a * (1.05 + 0.1 * nu.occ_size)
    crown = np.array([(-w, y_brim), (-0.85 * w, -b - 0.6 * a), (0.85 * w, -b - 0.6 * a), (w, y_brim)])
    brim = ellipse(0.0, y_brim, w * lerp(1.1, 1.5, nu.occ_g), 0.12 * a, 16)
    hat = rgb(tuple(c * 0.8 for c in colour))
    return [Part("poly", crown, 0.0, hat, "silhouette"), Part("poly", brim, 0.0, hat, "silhouette")]
