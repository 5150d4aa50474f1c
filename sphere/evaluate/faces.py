"""Face crops for a model: images read from a folder and aligned (the paper's 5-point similarity onto
the template scaled to the model's input, docs/paper.md §3) or, when already aligned, fitted to it.

`align`: `none` (`fit`: cut to the model's aspect about the centre, then resized), `landmarks` (given 5
points per image, e.g. IJB's `_name_5pts_score.txt`) or `mtcnn` (detected here with sphere.align's MTCNN;
an image without a face gets the DAG's fallback landmarks and is counted). Images stream through in chunks,
so set size does not bound memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from tqdm import tqdm

from sphere.align.similarity import align_face
from sphere.errors import InputError
from sphere.evaluate.models import Embedder
from sphere.evaluate.notes import note
from sphere.formats.image import read_rgb
from sphere.runtime import sha256_file

if TYPE_CHECKING:  # torch is loaded only when an image misses the landmark cache
    from sphere.align.mtcnn import MTCNN

ALIGN = ("none", "landmarks", "mtcnn")


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if image.shape[:2] == tuple(size):
        return image
    return np.asarray(Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.BILINEAR))


def fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An aligned crop at the model's input size, its aspect kept: the crop is first cut to the model's
    aspect about its centre, so the face is resized, not squeezed.

    This is what the 112x112 crops of insightface `.bin` sets need for a 112x96 SphereFace model (or a scaled
    one): insightface's 5-point template (sphere.align.similarity.INSIGHTFACE_112x112) is the SphereFace
    template of docs/paper.md §3 shifted 8 px right, so the central 112x96 of such a crop is the SphereFace
    crop. (Its landmarks sit one pixel right of and below the released crop's: insightface reads the numbers
    as 0-based pixels, MATLAB as 1-based.)
    """
    h, w = image.shape[:2]
    if h * size[1] > w * size[0]:  # too tall for the model: keep the middle rows
        rows = max(1, round(w * size[0] / size[1]))
        image = image[(h - rows) // 2 : (h - rows) // 2 + rows]
    elif h * size[1] < w * size[0]:  # too wide: keep the middle columns
        cols = max(1, round(h * size[1] / size[0]))
        image = image[:, (w - cols) // 2 : (w - cols) // 2 + cols]
    return resize(image, size)


class CachedDetector:
    """MTCNN behind a landmark cache; the nets are loaded only when an image misses the cache."""

    def __init__(self, weights: Path, device: str, min_face: int, cache: Path | str | None) -> None:
        from sphere.align.detect import LANDMARK_CACHE, LandmarkCache, detector_settings

        self.weights, self.device, self.min_face = weights, device, min_face
        self.thresholds, self.factor = (0.6, 0.7, 0.7), 0.709  # sphere.align.mtcnn.MTCNN's defaults
        settings = detector_settings(weights, min_face, self.thresholds, self.factor)
        self.cache = LandmarkCache(LANDMARK_CACHE if cache is None else cache, settings)
        self.detector: MTCNN | None = None
        self.hits = self.misses = 0

    def landmarks(self, paths: list[Path], images: list[np.ndarray]) -> list[np.ndarray | None]:
        digests = [sha256_file(p) for p in paths]
        found: list[np.ndarray | None] = []
        todo = []
        for k, digest in enumerate(digests):
            hit, points = self.cache.get(digest)
            found.append(points)
            if not hit:
                todo.append(k)
        self.hits += len(paths) - len(todo)
        if todo:
            if self.detector is None:
                from sphere.align.mtcnn import MTCNN
                from sphere.runtime import pick_device

                self.detector = MTCNN(
                    self.weights, pick_device(self.device), self.min_face, self.thresholds, self.factor
                )
            for k, d in zip(todo, self.detector.detect([images[k] for k in todo])):
                found[k] = None if d is None else d.landmarks
                self.cache.put(digests[k], found[k])
            self.misses += len(todo)
        return found


def embed_arrays(embedder: Embedder, images: list[np.ndarray], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Face and flip features of in-memory (already aligned) images, fitted to the model's input."""
    size = embedder.preprocess.size
    faces, flips = [], []
    for s in range(0, len(images), chunk):
        f, g = embedder.embed(np.stack([fit(im, size) for im in images[s : s + chunk]]))
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
    min_face: int = 20,
    chunk: int = 256,
    cache: Path | str | None = None,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """(face, flip, record) of the images `root/name`; `record` says how they were aligned. MTCNN landmarks
    are cached per image under `cache` (sphere.align.detect.LandmarkCache; default LANDMARK_CACHE): a second
    call on the same files detects nothing."""
    if align not in ALIGN:
        raise InputError(f"unknown --align {align!r}; expected one of {ALIGN}")
    if align == "landmarks" and landmarks is None:
        raise InputError("--landmarks: --align landmarks needs 5-point landmarks for every image")
    finder = None
    if align == "mtcnn":
        if mtcnn_weights is None:
            raise InputError("--mtcnn-weights: --align mtcnn needs the folder of pnet.pt, rnet.pt, onet.pt")
        finder = CachedDetector(Path(mtcnn_weights), device, min_face, cache)
        note(f"MTCNN landmark cache: {finder.cache.folder}")
    size = embedder.preprocess.size
    faces, flips, fallback = [], [], 0
    # a bar on a terminal only: in a log (or a captured stderr) it is noise before a one-line error
    bar = tqdm(total=len(names), desc=f"embed (align {align})", unit="img", disable=None)
    try:
        for s in range(0, len(names), chunk):
            part = names[s : s + chunk]
            images = [read_rgb(Path(root) / n) for n in part]
            if landmarks is not None and align == "landmarks":  # checked above: landmarks go with align landmarks
                missing = [n for n in part if n not in landmarks]
                if missing:
                    raise InputError(
                        f"{Path(root) / missing[0]}: no 5-point landmarks for this image ({len(missing)} of the "
                        f"{len(part)} images of this chunk lack them)"
                    )
                crops = [align_face(im, landmarks[n], size) for im, n in zip(images, part)]
            elif finder is not None:
                from sphere.align.detect import with_fallback

                found = finder.landmarks([Path(root) / n for n in part], images)
                fallback += sum(f is None for f in found)
                points = with_fallback([(im.shape[0], im.shape[1]) for im in images], found)
                crops = [align_face(im, p, size) for im, p in zip(images, points)]
            else:
                crops = [fit(im, size) for im in images]
            f, g = embedder.embed(np.stack(crops))
            faces.append(f)
            flips.append(g)
            bar.update(len(part))
            bar.set_postfix(fallback=fallback)
    finally:  # the bar's line ends before any error message
        bar.close()
    record = {"align": align, "input_size": list(size), "images": len(names), "mtcnn_fallback": fallback}
    if finder is not None:
        record.update(mtcnn_cache=str(finder.cache.folder), mtcnn_cached=finder.hits, mtcnn_detected=finder.misses)
    return np.concatenate(faces), np.concatenate(flips), record
