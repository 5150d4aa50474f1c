"""Rasterise a face: project the face model under pose, draw at supersampling, degrade like a photo.

Geometry (docs/paper.md §3 landmarks): yaw and pitch rotate the parts by their depth (foreshortening the far
side and shifting the features sideways), then a similarity (roll, scale, shift) places the face in the
raw photo. The true 5 landmarks go through the same transforms. Photometric nuisance follows (blur, a
shading gradient across the face, contrast, brightness, colour cast, sensor noise); JPEG artefacts come
from `encode_jpeg` when the photo is written. Pure numpy + PIL.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .background import background
from .face_model import HEAD_DEPTH, build_face, surface_depth
from .identity import Identity
from .nuisance import Nuisance
from .shapes import rotation

# Pixels per face unit at scale 1, as a fraction of the raw side: the face is about 0.4 of the photo wide.
FACE_UNIT = 0.2


def render(
    identity: Identity, nuisance: Nuisance, size: int = 128, supersample: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Raw photo (size x size x 3 uint8 RGB, before JPEG) and the true landmarks (5, 2) float32.

    Landmarks are (x, y) pixel coordinates with pixel centres at integers: left eye, right eye, nose
    tip, left and right mouth corner (left = image left). A pure function of its arguments.
    """
    if size < 16:
        raise ValueError(f"raw size must be >= 16 px, got {size}")
    nu, ss = nuisance, int(supersample)
    face = build_face(identity, nu)
    pts = _project(face.parts, face.a, face.b, nu)
    s = FACE_UNIT * size * nu.scale
    lin = s * rotation(nu.roll)
    off = np.array([(0.5 + nu.shift_x) * size - 0.5, (0.5 + nu.shift_y) * size - 0.5])
    img_pts = pts @ lin.T + off
    # PIL fills pixel centres, so image coordinate p sits at canvas coordinate ss * p + (ss - 1) / 2
    canvas_flat = (img_pts * ss + (ss - 1) / 2).ravel().tolist()

    canvas = background(nu.bg_seed, nu.bg_clutter, size, ss)
    draw = ImageDraw.Draw(canvas)
    start = 0
    for part in face.parts:
        stop = start + 2 * len(part.xy)
        if part.kind == "poly":
            draw.polygon(canvas_flat[start:stop], fill=part.colour)
        elif part.kind == "line":
            width = max(1, int(round(part.width * s * ss)))
            draw.line(canvas_flat[start:stop], fill=part.colour, width=width, joint="curve")
        start = stop
    img = canvas.reduce(ss) if ss > 1 else canvas

    if nu.blur > 0.05:
        # one box blur with the variance of a Gaussian of sigma `blur` (PIL's Gaussian is 3 passes);
        # blurring before the tone changes is exact for them (pixel-wise affine) and close for the shading
        sigma = nu.blur * size / 128
        img = img.filter(ImageFilter.BoxBlur(float((np.sqrt(12 * sigma * sigma + 1) - 1) / 2)))
    o0 = sum(len(p.xy) for p in face.parts[: face.outline_index])
    outline = img_pts[o0 : o0 + len(face.parts[face.outline_index].xy)].ravel().tolist()
    arr = _photometric(np.asarray(img), outline, nu, off, s)
    return arr, img_pts[-5:].astype(np.float32)


def _project(parts: list, a: float, b: float, nu: Nuisance) -> np.ndarray:
    """Yaw then pitch every part's points (all parts at once); silhouettes only narrow.

    An ellipsoid's outline stays centred on its axis and narrows under rotation, while points on the face
    surface (depth z) shift sideways by z sin(yaw): the far side is foreshortened.
    """
    xy = np.concatenate([p.xy for p in parts])
    lengths = [len(p.xy) for p in parts]
    z = np.repeat([p.z if isinstance(p.z, float) else 0.0 for p in parts], lengths)
    start = 0
    for p, n in zip(parts, lengths, strict=True):
        if not isinstance(p.z, float):
            z[start : start + n] += p.z
        start += n
    modes = [p.mode for p in parts]
    surface = np.repeat([m == "surface" for m in modes], lengths)
    silhouette = np.repeat([m == "silhouette" for m in modes], lengths)
    z = z + surface * surface_depth(xy, a, b)
    cy, sy, cp, sp = np.cos(nu.yaw), np.sin(nu.yaw), np.cos(nu.pitch), np.sin(nu.pitch)
    x1 = xy[:, 0] * cy + z * sy
    y1 = xy[:, 1] * cp + (z * cy - xy[:, 0] * sy) * sp
    k = HEAD_DEPTH * HEAD_DEPTH
    kx, ky = np.sqrt(cy * cy + k * sy * sy), np.sqrt(cp * cp + k * sp * sp)
    x1 = np.where(silhouette, xy[:, 0] * kx, x1)
    y1 = np.where(silhouette, xy[:, 1] * ky, y1)
    return np.stack([x1, y1], 1)


def _photometric(arr: np.ndarray, outline: list[float], nu: Nuisance, centre: np.ndarray, unit: float) -> np.ndarray:
    """Shading gradient, contrast, brightness, colour cast and sensor noise, in one float32 pass.

    The light darkens the side of the face away from it (down to 1 - |light|; the scene gets 30% of
    that), and the brightness is raised to keep the mean about level.
    """
    size = arr.shape[0]
    out = arr.astype(np.float32)
    strength = min(0.95, float(np.hypot(nu.light_x, nu.light_y)))
    if strength > 0.02:
        mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(mask).polygon(outline, fill=255)
        ramp = np.arange(size, dtype=np.float32)
        norm = float(np.hypot(nu.light_x, nu.light_y)) * unit
        gx = (nu.light_x / norm) * (ramp - np.float32(centre[0]))
        gy = (nu.light_y / norm) * (ramp - np.float32(centre[1]))
        dark = np.clip(0.5 - 0.5 * (gx[None, :] + gy[:, None]), 0.0, 1.0)
        weight = np.float32(0.3 * strength) + np.asarray(mask, dtype=np.float32) * np.float32(0.7 * strength / 255)
        out *= (1.0 - dark * weight)[:, :, None]
    gains = (nu.brightness / (1.0 - 0.35 * strength)) * np.array([nu.cast_r, nu.cast_g, nu.cast_b])
    # ((v - 128) * contrast + 128) * gain, as one multiply-add per channel
    out *= (nu.contrast * gains).astype(np.float32)
    out += (128.0 * (1.0 - nu.contrast) * gains).astype(np.float32)
    if nu.noise > 0.05:
        out += _noise(size, nu.noise_seed) * np.float32(nu.noise)
    return np.clip(out, 0, 255).astype(np.uint8)


@lru_cache(maxsize=4)
def _noise_bank(size: int) -> np.ndarray:
    """A fixed bank of unit Gaussian noise; images take shifted crops of it (cheaper than fresh draws)."""
    return np.random.default_rng(12345).standard_normal((2 * size, 2 * size, 3), dtype=np.float32)


def _noise(size: int, seed: int) -> np.ndarray:
    bank = _noise_bank(size)
    ox, oy = seed % (size + 1), (seed // (size + 1)) % (size + 1)
    crop = bank[oy : oy + size, ox : ox + size]
    return crop[::-1] if (seed >> 20) & 1 else crop


def encode_jpeg(img: np.ndarray, quality: float) -> bytes:
    """JPEG bytes of an RGB uint8 image (quality rounded and clipped to 1..100)."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(np.clip(round(quality), 1, 100)))
    return buf.getvalue()


def apply_jpeg(img: np.ndarray, quality: float) -> np.ndarray:
    """The image after a JPEG round trip (what a reader of the written photo sees)."""
    return np.asarray(Image.open(io.BytesIO(encode_jpeg(img, quality))).convert("RGB"))
