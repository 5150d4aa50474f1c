"""5-point landmarks of a whole image folder by MTCNN, with a documented fallback (docs/paper.md §3; docs/formats.md,
Landmarks and detections).

Every image gets landmarks and an outcome: 'detected' (MTCNN found a face; the subject's face is kept,
`MTCNN.detect`) or 'fallback' (no face found: the face is assumed to fill the centred square of the
image, with the mean landmark layout of the faces detected in the same call, `fallback_landmarks`; when
nothing at all was detected, the layout of the 112x96 template). Fallback faces stay in the set, so
every LFW pair is scored; their count is reported and recorded in the store index.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Set
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sphere.align.mtcnn import MTCNN, fallback_landmarks, normalise_landmarks
from sphere.align.similarity import TEMPLATE_112x96
from sphere.formats.image import read_rgb
from sphere.formats.sources import list_sources
from sphere.runtime import pick_device

# Fallback layout when no face of the set was detected: the template within its crop's centred square.
TEMPLATE_LAYOUT = normalise_landmarks(TEMPLATE_112x96, 112, 96)


LANDMARK_CACHE = "~/.cache/sphere/landmarks"  # sphere evaluate --mtcnn-cache default (user folder expanded)


class LandmarkCache:
    """MTCNN landmarks per image file, keyed by the file's SHA-256 and the detector's settings (weights'
    SHA-256, minimum face, thresholds, pyramid factor): one small JSON per image under
    `<folder>/<settings key>/`, written atomically. An image without a face is cached too (as null), so a
    second run over the same files detects nothing."""

    def __init__(self, folder: Path | str, settings: dict) -> None:
        text = json.dumps(settings, sort_keys=True)
        self.folder = Path(folder).expanduser() / hashlib.sha256(text.encode()).hexdigest()[:16]
        self.settings = settings

    def _file(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> tuple[bool, np.ndarray | None]:
        """(hit, landmarks or None for a cached 'no face')."""
        try:
            value = json.loads(self._file(digest).read_text())["landmarks"]
        except (OSError, ValueError, KeyError, TypeError):  # absent, or a damaged entry: detect again
            return False, None
        return True, None if value is None else np.asarray(value, np.float64).reshape(5, 2)

    def put(self, digest: str, landmarks: np.ndarray | None) -> None:
        from sphere import runtime

        value = None if landmarks is None else np.asarray(landmarks, np.float64).tolist()
        runtime.write_text(self._file(digest), json.dumps({"landmarks": value}) + "\n")


def detector_settings(weights_dir: Path, min_face: int, thresholds: tuple, factor: float) -> dict:
    """What a cached landmark depends on besides the image: the weight files' hashes and the search settings."""
    from sphere import runtime
    from sphere.align.mtcnn_nets import WEIGHT_FILES
    from sphere.errors import MissingFile

    weights = {}
    for name in WEIGHT_FILES:
        path = Path(weights_dir) / name
        if not path.is_file():
            raise MissingFile(path, "MTCNN weight file missing (`sphere fetch-mtcnn` fetches them)")
        weights[name] = runtime.sha256_file(path)
    return {"weights": weights, "min_face": min_face, "thresholds": list(thresholds), "factor": factor}


def with_fallback(shapes: list[tuple[int, int]], found: list[np.ndarray | None]) -> list[np.ndarray]:
    """Each image's landmarks: the detected ones, else the fallback (the face fills the image's centred square,
    in the mean layout of the faces detected among these images; the template's when there is none)."""
    detected = [normalise_landmarks(f, h, w) for (h, w), f in zip(shapes, found) if f is not None]
    layout = np.mean(detected, axis=0) if detected else TEMPLATE_LAYOUT
    return [f if f is not None else fallback_landmarks(h, w, layout) for (h, w), f in zip(shapes, found)]


@dataclass
class DetectionSummary:
    """Counts and timing of one `detect_folder` call."""

    images: int
    detected: int
    fallback: int
    seconds: float
    device: str
    fallback_paths: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.detected / self.images if self.images else float("nan")

    def as_dict(self) -> dict:
        return {
            "images": self.images,
            "detected": self.detected,
            "fallback": self.fallback,
            "detection_rate": self.rate,
            "seconds": round(self.seconds, 2),
            "images_per_second": round(self.images / self.seconds, 2) if self.seconds else None,
            "device": self.device,
            "fallback_paths": self.fallback_paths,
        }


def detect_folder(
    roots: Path | str | list,
    weights: Path | None = None,
    device: str = "auto",
    min_images: int = 1,
    min_face: int = 20,
    chunk: int = 64,
    progress: bool = True,
    detector: MTCNN | None = None,
    exclude: Set[str] = frozenset(),
) -> tuple[dict[str, np.ndarray], dict[str, str], DetectionSummary]:
    """Landmarks (path -> (5, 2) float32, 0-based pixel centres) and outcome (path -> 'detected' | 'fallback')
    of every image under `roots` (`<identity>/<file>`; several roots merge, see `sphere.formats.sources`).

    Images are read and detected `chunk` at a time (MTCNN batches same-sized images through P-Net and all
    crops of a chunk through R-Net and O-Net) on `device` ('auto': CUDA when present). Identities with fewer
    than `min_images` images over all roots, and those in `exclude`, are skipped. `detector` replaces the MTCNN
    built from `weights`.
    """
    table = list_sources(roots, min_images, exclude)
    if detector is None:
        if weights is None:
            raise ValueError("detect_folder needs MTCNN weights (a folder) or a detector")
        detector = MTCNN(Path(weights), pick_device(device), min_face=min_face, batch_size=chunk)
    start = time.perf_counter()
    found: dict[str, np.ndarray] = {}
    shapes: dict[str, tuple[int, int]] = {}
    paths, files = table["path"].tolist(), table["file"].tolist()
    with tqdm(total=len(paths), desc="MTCNN", unit="img", disable=not progress) as bar:
        for lo in range(0, len(paths), chunk):
            images = [read_rgb(f) for f in files[lo : lo + chunk]]
            for path, image, det in zip(paths[lo : lo + chunk], images, detector.detect(images)):
                shapes[path] = image.shape[:2]
                if det is not None:
                    found[path] = det.landmarks.astype(np.float32)
            bar.update(len(images))
            bar.set_postfix(fallback=len(shapes) - len(found))
    landmarks = dict(zip(paths, with_fallback([shapes[p] for p in paths], [found.get(p) for p in paths])))
    outcome = {p: "detected" if p in found else "fallback" for p in paths}
    summary = DetectionSummary(
        len(paths),
        len(found),
        len(paths) - len(found),
        time.perf_counter() - start,
        str(detector.device),
        [p for p in paths if p not in found],
    )
    return landmarks, outcome, summary


def summary_table(summaries: dict[str, Path]) -> pd.DataFrame:
    """One row per set (name -> `--summary` JSON of detect-landmarks): images, detected, fallback, rate, time."""
    rows = []
    for name, path in summaries.items():
        record = json.loads(Path(path).read_text())
        record.pop("fallback_paths", None)
        rows.append({"set": name, **record})
    return pd.DataFrame(rows)
