"""The LFW protocol as released (docs/protocols.md, LFW): 10 folds, mean subtraction, cosine, threshold on 9 folds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sphere.errors import InputError
from sphere.formats.lfw import Pair
from sphere.protocols.verification import (
    l2_normalise,
    released_folds,
    roc_auc,
    tar_at_far,
)


def pair_features(pairs: list[Pair], features: np.ndarray, paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Features of the first and second image of every pair; a pair image missing from the store raises."""
    row = {p: i for i, p in enumerate(paths)}
    missing = [(pair, p) for pair in pairs for p in (pair.path1, pair.path2) if p not in row]
    if missing:
        pair, image = missing[0]
        raise InputError(
            f"{pair.where or 'pairs'}: image {image!r} is not in the aligned store "
            f"({len(missing)} pair image(s) missing in all; was it listed in the landmarks?)"
        )
    first = features[[row[p.path1] for p in pairs]]
    second = features[[row[p.path2] for p in pairs]]
    return first.astype(np.float64), second.astype(np.float64)


def evaluate_lfw(pairs: list[Pair], features: np.ndarray, paths: list[str], far: float = 1e-3) -> dict:
    """Per-fold accuracy (%) with the released rule, plus ROC AUC and TAR at `far` and the pair scores.

    For each held-out fold the mean feature of the other folds' pair images is subtracted from
    all features before L2 normalisation; the threshold maximising accuracy on those folds
    (grid [-1, 1], step 1e-4) is applied to the held-out fold. AUC and TAR use one pooled score per
    pair, with the mean over all pairs subtracted. The per-pair frame also holds each pair's held-out
    score (`fold_score`, its fold's mean subtracted) and whether its fold's threshold gets it right
    (`correct`), the paired data of McNemar's test in the claims table.
    """
    first, second = pair_features(pairs, features, paths)
    same = np.array([p.same for p in pairs])
    folds = np.array([p.fold for p in pairs])
    fold_acc, thresholds, fold_score = released_folds(first, second, same, folds)
    # each pair's verdict under its fold's threshold (the released rule: a score equal to t is wrong)
    threshold_of = dict(zip(np.unique(folds), thresholds))
    t = np.array([threshold_of[f] for f in folds])
    correct = np.where(same, fold_score > t, fold_score < t)
    mu = np.concatenate([first, second]).mean(0)
    pooled = np.sum(l2_normalise(first - mu) * l2_normalise(second - mu), axis=1)
    raw_cos = np.sum(l2_normalise(first) * l2_normalise(second), axis=1)
    return {
        "accuracy": float(np.mean(fold_acc)),
        "std": float(np.std(fold_acc)),
        "fold_accuracy": [float(a) for a in fold_acc],
        "thresholds": thresholds,
        "auc": roc_auc(pooled, same),
        "tar_at_far": tar_at_far(pooled, same, far),
        "far": far,
        "pairs": pd.DataFrame(
            {
                "fold": folds,
                "same": same,
                "score": pooled,
                "angle_deg": np.degrees(np.arccos(np.clip(raw_cos, -1, 1))),
                "fold_score": fold_score,
                "correct": correct,
            }
        ),
    }
