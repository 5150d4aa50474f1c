"""Where a benchmark's features come from: an embeddings file, the DAG's store features, or a model
run on the benchmark's images (`sphere evaluate --embeddings | --features/--store | --model`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.evaluate.models import Preprocess, load_embedder
from sphere.evaluate.notes import note
from sphere.formats.embeddings import Embeddings, read_embeddings


@dataclass
class Source:
    """The user's choice of features; exactly one of embeddings, features (+ store) or model."""

    embeddings: Path | None = None
    features: Path | None = None
    store: Path | None = None
    model: Path | None = None
    model_format: str = "auto"
    preprocess: Preprocess | None = None
    device: str = "auto"
    align: str = "none"
    landmarks: Path | None = None
    mtcnn_weights: Path | None = None
    mtcnn_min_face: int = 20  # MTCNN's smallest face, px (the DAG's data.mtcnn_min_face)
    mtcnn_cache: Path | None = None  # landmark cache folder (None: sphere.align.detect.DEFAULT_LANDMARK_CACHE)
    flags: dict = field(default_factory=dict)  # preprocessing the user gave (models.KNOWN keys; None: not given)
    record: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        given = [k for k in ("embeddings", "features", "model") if getattr(self, k) is not None]
        if len(given) != 1:
            raise InputError(
                f"--embeddings/--features/--model: give exactly one of them (--features with --store); got "
                f"{', '.join('--' + g for g in given) or 'none'}"
            )
        if self.align == "mtcnn" and self.mtcnn_min_face < 12:
            raise InputError(f"--mtcnn-min-face: must be >= 12 px (MTCNN's smallest window), got {self.mtcnn_min_face}")
        if self.features is not None and self.store is None:
            raise InputError("--store: --features needs the store whose index the rows follow")

    @property
    def kind(self) -> str:
        return "embeddings" if self.embeddings else ("features" if self.features else "model")

    def precomputed(self, lenient: bool = False) -> Embeddings:
        """The embeddings file, or the store features split into face and flip halves. `lenient`: zero and
        non-finite embedding rows pass (sphere.evaluate.verify counts or refuses them)."""
        if self.embeddings is not None:
            self.record = {"input": "embeddings", "file": str(self.embeddings)}
            return read_embeddings(self.embeddings, lenient)
        from sphere.store.io import read_features, read_store

        # __post_init__ accepts embeddings, features with a store, or a model
        assert self.store is not None and self.features is not None
        store = read_store(self.store)
        features = read_features(self.features, store, self.store)
        if features.shape[1] < 4 or features.shape[1] % 2:
            raise InputError(
                f"{self.features}: {features.shape[1]} columns; `sphere features` rows are a face and a flip "
                "half of D >= 2 columns each"
            )
        names = store.index["path"].astype(str).tolist()
        half = features.shape[1] // 2
        self.record = {"input": "store features", "file": str(self.features), "store": str(self.store)}
        return Embeddings(features[:, :half], features[:, half:], names, str(self.features))

    def embedder(self):
        embedder = load_embedder(self.model, self.preprocess, self.device, self.model_format, self.flags)
        for text in embedder.notes:
            note(f"note: {text}")
        self.record = {
            "input": "model",
            "file": str(self.model),
            "model": embedder.kind,
            "input_size": list(embedder.preprocess.size),
            "pixel_mean": embedder.preprocess.mean,
            "pixel_std": embedder.preprocess.std,
            "channels": embedder.preprocess.channels,
            **({"preprocess_notes": embedder.notes} if embedder.notes else {}),
        }
        return embedder


def read_landmark_list(path: Path) -> dict[str, np.ndarray]:
    """The 5-point list `path<TAB>x1 y1 ... x5 y5` (sphere.formats.landmarks) as name -> (5, 2)."""
    from sphere.formats.landmarks import read_landmarks

    return {k: np.asarray(v, np.float64).reshape(5, 2) for k, v in read_landmarks(path).items()}
