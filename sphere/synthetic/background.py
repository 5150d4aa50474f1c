"""Background of a raw photo: a smooth colour field, coarse texture and random clutter shapes."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

# Bilinear interpolation weights from a 3x3 colour grid to the 12x12 texture grid.
_W = np.clip(1.0 - np.abs(np.linspace(0.0, 2.0, 12)[:, None] - np.arange(3)[None, :]), 0.0, 1.0)


def background(seed: int, clutter: float, side: int, supersample: int = 1) -> Image.Image:
    """RGB image of side `side * supersample` drawn from `seed`; `clutter` (about 0..1) sets the shapes.

    The smooth field is built at half the raw resolution (it is smooth, so nothing is lost) and enlarged
    by pixel replication; clutter is drawn at full canvas resolution.
    """
    rng = np.random.default_rng(seed)
    mean = rng.uniform(35, 215) + rng.normal(0, 22, 3)
    coarse = mean + rng.normal(0, 28, (3, 3, 3))
    fine = np.einsum("ia,abc,jb->ijc", _W, coarse, _W) + rng.normal(0, 7, (12, 12, 3))
    small = Image.fromarray(np.clip(fine, 0, 255).astype(np.uint8)).resize(
        (side // 2, side // 2), Image.Resampling.BILINEAR
    )
    canvas_side = side * supersample
    img = small.resize((canvas_side, canvas_side), Image.Resampling.NEAREST)
    n_shapes = int(round(clutter * 12 * rng.uniform(0.5, 1.0)))
    if n_shapes:
        draw = ImageDraw.Draw(img)
        kinds = rng.integers(0, 3, n_shapes)
        colours = np.clip(rng.uniform(20, 235, (n_shapes, 1)) + rng.normal(0, 40, (n_shapes, 3)), 0, 255).astype(int)
        geo = (rng.uniform(-0.1, 1.1, (n_shapes, 4)) * canvas_side).tolist()
        sizes = (rng.uniform(0.05, 0.5, (n_shapes, 2)) * canvas_side).tolist()
        widths = rng.integers(1, max(2, canvas_side // 25), n_shapes).tolist()
        for kind, colour, (x0, y0, x1, y1), (w, h), lw in zip(
            kinds.tolist(), colours.tolist(), geo, sizes, widths, strict=True
        ):
            if kind == 0:
                draw.rectangle([x0, y0, x0 + w, y0 + h], fill=tuple(colour))
            elif kind == 1:
                draw.ellipse([x0, y0, x0 + w, y0 + h], fill=tuple(colour))
            else:
                draw.line([x0, y0, x1, y1], fill=tuple(colour), width=lw)
    return img
