"""YouTube Faces video verification (docs/protocols.md, YouTube Faces; files in docs/formats.md).

The paper does not say how a video becomes one feature. Here (the common practice): take at most
`cap` frames, EVENLY SPACED over the whole video (first and last frame included; all frames when
the video is shorter), L2-normalise each frame feature, average, L2-normalise again. Evenly spaced
rather than the first `cap` frames so that long videos are represented by all their shots.
`aggregation_record` returns the choice so that it is written next to the results.

Score = cosine of the two video features. Accuracy per split with the threshold chosen on the
other 9 splits (`kfold_accuracy`, same grid as LFW), then mean and std (population, ddof=0)
over the splits, and the ROC AUC over all pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sphere.errors import InputError
from sphere.formats.ytf import VideoPair, frame_number
from sphere.protocols.verification import kfold_accuracy, l2_normalise, roc_auc

DEFAULT_CAP = 100
SELECTIONS = ("even", "first")


def select_frames(n_frames: int, cap: int = DEFAULT_CAP, selection: str = "even") -> np.ndarray:
    """Indices of the frames used: all if n_frames <= cap, else the first `cap` or `cap` evenly spaced."""
    if selection not in SELECTIONS:
        raise InputError(f"unknown frame selection {selection!r}; expected one of {SELECTIONS}")
    if n_frames < 1:
        raise ValueError("a video needs at least one frame")
    if cap < 1:
        raise InputError(f"frame cap must be >= 1, got {cap}")
    if n_frames <= cap:
        return np.arange(n_frames)
    if selection == "first":
        return np.arange(cap)
    return np.unique(np.round(np.linspace(0, n_frames - 1, cap)).astype(int))


def video_feature(frames: np.ndarray, cap: int = DEFAULT_CAP, selection: str = "even") -> np.ndarray:
    """Mean of the L2-normalised features of the selected frames (frames in temporal order), re-normalised."""
    frames = np.asarray(frames, np.float64)
    chosen = frames[select_frames(len(frames), cap, selection)]
    return l2_normalise(l2_normalise(chosen).mean(axis=0)).astype(np.float32)


def group_frames(paths: Sequence[str]) -> dict[str, np.ndarray]:
    """Rows of a store's index grouped by video: "name/video" -> row indices sorted by frame number.

    `paths` are relative frame paths `name/video/video.frame.jpg` (the store's `path` column).
    """
    groups: dict[str, list[tuple[int, int]]] = {}
    for row, path in enumerate(paths):
        parts = str(path).replace("\\", "/").split("/")
        if len(parts) < 3:
            raise InputError(f"row {row}: {path!r} is not 'name/video/video.frame.jpg'")
        groups.setdefault(f"{parts[-3]}/{parts[-2]}", []).append((frame_number(path), row))
    return {key: np.array([row for _, row in sorted(rows)]) for key, rows in groups.items()}


def video_features(
    features: np.ndarray, paths: Sequence[str], cap: int = DEFAULT_CAP, selection: str = "even"
) -> dict[str, np.ndarray]:
    """One feature per video from frame features aligned with `paths` (N x D)."""
    features = np.asarray(features)
    if len(features) != len(paths):
        raise InputError(f"{len(features)} feature rows for {len(paths)} paths")
    return {key: video_feature(features[rows], cap, selection) for key, rows in group_frames(paths).items()}


def aggregation_record(cap: int = DEFAULT_CAP, selection: str = "even") -> dict:
    """What to record next to YTF results (docs/protocols.md, YouTube Faces: the paper does not say)."""
    select_frames(1, cap, selection)  # validates the arguments
    return {
        "video_feature": "mean of L2-normalised frame features, re-normalised",
        "frame_cap": cap,
        "frame_selection": "evenly spaced over the video" if selection == "even" else "first frames",
    }


def evaluate_ytf(video_features: dict[str, np.ndarray], pairs: Sequence[VideoPair]) -> dict:
    """10-split YTF accuracy (threshold from the other splits), mean, std and AUC."""
    missing = [(p, v) for p in pairs for v in (p.video1, p.video2) if v not in video_features]
    if missing:
        pair, video = missing[0]
        count = len({v for _, v in missing})
        raise InputError(
            f"{pair.where or 'splits'}: video {video!r} has no frames in the store ({count} "
            f"video(s) of the pairs missing in all, e.g. {sorted({v for _, v in missing})[:5]})"
        )
    a = l2_normalise(np.stack([np.asarray(video_features[p.video1], np.float64) for p in pairs]))
    b = l2_normalise(np.stack([np.asarray(video_features[p.video2], np.float64) for p in pairs]))
    scores = np.sum(a * b, axis=1)
    same = np.array([p.same for p in pairs])
    folds = np.array([p.split for p in pairs])
    if len(np.unique(folds)) < 2:
        raise InputError(
            f"{pairs[0].where.rsplit(':', 1)[0] or 'splits'}: need at least 2 splits to choose "
            "thresholds on the other splits"
        )
    per_split = kfold_accuracy(scores, same, folds)
    return {
        "accuracy_mean": float(per_split.mean()),
        "accuracy_std": float(per_split.std()),
        "split_accuracy": [float(x) for x in per_split],
        "splits": [int(s) for s in np.unique(folds)],
        "auc": roc_auc(scores, same),
        "n_pairs": len(pairs),
        "n_same": int(same.sum()),
    }
