"""Looking at and timing the synthetic face generator: a contact sheet and a render-speed probe."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .identity import sample_identities
from .nuisance import neutral_nuisance, sample_nuisance
from .render import apply_jpeg, encode_jpeg, render


def contact_sheet(
    seed: int = 0,
    identities: int = 6,
    images: int = 8,
    size: int = 128,
    difficulty: float = 1.0,
    landmarks: bool = True,
) -> Image.Image:
    """One row per identity: first its neutral photo, then `images` photos with sampled nuisance.

    Landmarks (true positions) are marked with green dots when `landmarks`.
    """
    rng = np.random.default_rng(seed)
    ids, _ = sample_identities(rng, identities, difficulty)
    sheet = Image.new("RGB", ((images + 1) * size, identities * size))
    for r, identity in enumerate(ids):
        for c in range(images + 1):
            nu = neutral_nuisance() if c == 0 else sample_nuisance(rng, difficulty)
            img, lm = render(identity, nu, size)
            tile = Image.fromarray(apply_jpeg(img, nu.jpeg_quality))
            if landmarks:
                draw = ImageDraw.Draw(tile)
                for x, y in lm.tolist():
                    draw.ellipse([x - 1, y - 1, x + 1, y + 1], fill=(0, 255, 0))
            sheet.paste(tile, (c * size, r * size))
    return sheet


def save_contact_sheet(path: Path, **kwargs) -> None:
    contact_sheet(**kwargs).save(path)


def render_speed(
    n: int = 300, size: int = 128, difficulty: float = 1.0, seed: int = 0, jpeg: bool = True
) -> dict:
    """Images per second of render (+ JPEG encoding when `jpeg`) on this process's core.

    Reports both wall-clock and process-CPU rates: on a shared machine the CPU rate is the fairer one.
    """
    rng = np.random.default_rng(seed)
    ids, _ = sample_identities(rng, 20, difficulty)
    work = [(ids[i % len(ids)], sample_nuisance(rng, difficulty)) for i in range(n)]
    render(*work[0], size)  # warm caches
    wall, cpu = time.perf_counter(), time.process_time()
    for identity, nu in work:
        img, _ = render(identity, nu, size)
        if jpeg:
            encode_jpeg(img, nu.jpeg_quality)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"images": n, "size": size, "jpeg": jpeg, "wall_img_per_s": n / wall, "cpu_img_per_s": n / cpu}
