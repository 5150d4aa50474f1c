"""YouTube Faces video verification (docs/protocols.md, YouTube Faces; files in docs/formats.md).

The paper does not say how a video becomes one feature. Here (the common practice): take at most
`cap` frames, EVENLY SPACED over the whole video (first and last frame included; all frames when
the video is shorter), L2-normalise each frame feature, average, L2-normalise again. Evenly spaced
rather than the first `cap` frames so that long videos are represented by all their shots.
`aggregation_record` returns the choice so that it is written next to the results.

Score = cosine of the two video features, scored by `sphere evaluate --benchmark ytf` with the released
rule without LFW's mean subtraction (sphere.protocols.rules.released): accuracy per split with the
threshold chosen on the other 9 splits (same grid as LFW), then mean and std (population, ddof=0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sphere.errors import InputError
from sphere.formats.ytf import frame_number
from sphere.protocols.verification import l2_normalise

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
