"""Face crops for a model: images read from a folder and aligned (the paper's 5-point similarity onto
the template scaled to the model's input, docs/paper.md §3) or, when already aligned, just resized.

`align`: `none` (resize), `landmarks` (given 5 points per image, e.g. IJB's `_name_5pts_score.txt`)
or `mtcnn` (detected here with sphere.align's MTCNN; an image without a face is resized whole and
counted as a fallback). Images stream through in chunks, so set size does not bound memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from sphere.align.similarity import align_face
from sphere.errors import InputError
from sphere.evaluate.models import Embedder

ALIGN = ("none", "landmarks", "mtcnn")


def read_rgb(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: image not found") from None
    except OSError as error:
        raise InputError(f"{path}: cannot decode image: {error}") from None


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if image.shape[:2] == tuple(size):
        return image
    return np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.BILINEAR))


def embed_arrays(embedder: Embedder, images: list[np.ndarray], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Face and flip features of in-memory (already aligned) images, resized to the model's input."""
    size = embedder.preprocess.size
    faces, flips = [], []
    for s in range(0, len(images), chunk):
        f, g = embedder.embed(np.stack([resize(im, size) for im in images[s : s + chunk]]))
        faces.append(f)
        flips.append(g)
    return np.concatenate(faces), np.concatenate(flips)


def embed_files(
    embedder: Embedder,
    root: Path,
    names: list[str],
    align: str = "none",
    landmarks: dict[str, np.ndarray] | None = None,
    mtcnn_weights: Path | None = None,
    device: str = "auto",
    chunk: int = 256,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """(face, flip, record) of the images `root/name`; `record` says how they were aligned."""
    if align not in ALIGN:
        raise InputError(f"unknown --align {align!r}; expected one of {ALIGN}")
    if align == "landmarks" and landmarks is None:
        raise InputError("--align landmarks needs 5-point landmarks for every image")
    detector = None
    if align == "mtcnn":
        if mtcnn_weights is None:
            raise InputError("--align mtcnn needs --mtcnn-weights DIR (pnet.pt, rnet.pt, onet.pt)")
        from sphere.align.mtcnn import MTCNN
        from sphere.runtime import pick_device

        detector = MTCNN(Path(mtcnn_weights), pick_device(device))
    size = embedder.preprocess.size
    faces, flips, fallback = [], [], 0
    for s in range(0, len(names), chunk):
        part = names[s : s + chunk]
        images = [read_rgb(Path(root) / n) for n in part]
        if landmarks is not None and align == "landmarks":  # checked above: landmarks go with align landmarks
            missing = [n for n in part if n not in landmarks]
            if missing:
                raise InputError(f"no landmarks for {len(missing)} image(s), e.g. {missing[0]!r}")
            crops = [align_face(im, landmarks[n], size) for im, n in zip(images, part)]
        elif detector is not None:
            found = detector.detect(images)
            fallback += sum(d is None for d in found)
            crops = [
                resize(im, size) if d is None else align_face(im, d.landmarks, size) for im, d in zip(images, found)
            ]
        else:
            crops = [resize(im, size) for im in images]
        f, g = embedder.embed(np.stack(crops))
        faces.append(f)
        flips.append(g)
    record = {"align": align, "input_size": list(size), "images": len(names), "mtcnn_fallback": fallback}
    return np.concatenate(faces), np.concatenate(flips), record
