"""Verification metrics shared by LFW and YTF: k-fold threshold accuracy (the released rule of the
authors' test/code/evaluation.m), ROC AUC, TAR at FAR."""

from __future__ import annotations

import numpy as np

from sphere.errors import InputError

# the released search grid, (-10000:10000)/10000 in evaluation.m
COSINE_THRESHOLDS = np.arange(-10000, 10001) / 10000


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows (the last axis) scaled to unit length; an all-zero row stays zero."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def require_finite(scores: np.ndarray) -> np.ndarray:
    """The scores as float64; InputError naming the first non-finite one (a NaN would be scored as wrong)."""
    scores = np.asarray(scores, np.float64)
    bad = ~np.isfinite(scores)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} of {len(scores)} pair scores are not finite (first: pair "
            f"{int(np.flatnonzero(bad)[0])}); the features hold NaN or inf"
        )
    return scores


def correct_at(scores: np.ndarray, same: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Pairs classified right at every threshold t under the released rule: a same-person pair is right
    when score > t, a different-person pair when score < t, so a score equal to t is wrong either way
    (`getAccuracy` of the authors' test/code/evaluation.m; docs/protocols.md). Vectorised by sorting."""
    scores = require_finite(scores)
    s = np.sort(scores[np.asarray(same, bool)])
    d = np.sort(scores[~np.asarray(same, bool)])
    same_above = len(s) - np.searchsorted(s, thresholds, side="right")
    different_below = np.searchsorted(d, thresholds, side="left")
    return same_above + different_below


def accuracy_at(scores: np.ndarray, same: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Fraction of pairs right at every threshold (the released rule of `correct_at`)."""
    return correct_at(scores, same, thresholds) / len(scores)


def best_threshold(scores: np.ndarray, same: np.ndarray, thresholds: np.ndarray = COSINE_THRESHOLDS) -> float:
    """The mean of *all* grid thresholds that reach the best accuracy (`getThreshold` of evaluation.m:
    grid (-10000:10000)/10000, then `mean(thresholds(accuracys == max(accuracys)))`)."""
    correct = correct_at(scores, same, thresholds)  # integer counts: the tie test is exact
    return float(np.mean(thresholds[correct == correct.max()]))


def released_folds(
    first: np.ndarray, second: np.ndarray, same: np.ndarray, folds: np.ndarray, subtract_mean: bool = True
) -> tuple[list[float], list[float], np.ndarray]:
    """evaluation.m's 10-fold loop on pair features: per held-out fold, the mean feature of the other
    folds' pair images subtracted (unless `subtract_mean` is False), rows L2-normalised, cosine, the
    threshold of `best_threshold` on the other folds. Returns the fold accuracies (%), the thresholds
    and every pair's held-out score."""
    same, folds = np.asarray(same, bool), np.asarray(folds)
    accuracies, thresholds = [], []
    held_out = np.empty(len(same))
    for fold in np.unique(folds):
        test = folds == fold
        mu = np.concatenate([first[~test], second[~test]]).mean(0) if subtract_mean else 0.0
        scores = np.sum(l2_normalise(first - mu) * l2_normalise(second - mu), axis=1)
        threshold = best_threshold(scores[~test], same[~test])
        accuracies.append(100 * accuracy_at(scores[test], same[test], np.array([threshold]))[0])
        thresholds.append(threshold)
        held_out[test] = scores[test]
    return accuracies, thresholds, held_out


def roc_curve(scores: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false accept rate, true accept rate) as the threshold falls through every distinct score."""
    order = np.argsort(-require_finite(scores), kind="stable")
    s, y = np.asarray(scores)[order], np.asarray(same, bool)[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    tar = np.cumsum(y)[last_of_tie] / max(y.sum(), 1)
    far = np.cumsum(~y)[last_of_tie] / max((~y).sum(), 1)
    return np.r_[0.0, far], np.r_[0.0, tar]


def roc_auc(scores: np.ndarray, same: np.ndarray) -> float:
    """Area under the ROC curve (trapezoids; ties count one half)."""
    far, tar = roc_curve(scores, same)
    return float(np.sum(np.diff(far) * (tar[1:] + tar[:-1]) / 2))


def tar_at_far(scores: np.ndarray, same: np.ndarray, far: float) -> float:
    """Largest true accept rate whose false accept rate does not exceed `far`."""
    fars, tars = roc_curve(scores, same)
    return float(tars[fars <= far + 1e-12].max())
