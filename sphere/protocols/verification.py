"""Verification metrics shared by LFW and YTF: k-fold threshold accuracy, ROC AUC, TAR at FAR."""
from __future__ import annotations

import numpy as np

COSINE_THRESHOLDS = np.round(np.arange(-1.0, 1.0 + 1e-9, 1e-4), 4)


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows (the last axis) scaled to unit length; an all-zero row stays zero."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def accuracy_at(scores: np.ndarray, same: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Accuracy of the rule `same iff score > t` for every threshold t (vectorised by sorting)."""
    order = np.argsort(scores, kind="stable")
    s, y = scores[order], same[order].astype(bool)
    # number of pairs with score <= t, and of those how many are positives
    below = np.searchsorted(s, thresholds, side="right")
    pos_below = np.concatenate([[0], np.cumsum(y)])[below]
    true_neg = below - pos_below
    true_pos = y.sum() - pos_below
    return (true_pos + true_neg) / len(s)


def best_threshold(scores: np.ndarray, same: np.ndarray, thresholds: np.ndarray = COSINE_THRESHOLDS) -> float:
    """The first threshold of the grid that maximises accuracy (the released search, PAPER.md §3)."""
    return float(thresholds[np.argmax(accuracy_at(scores, same, thresholds))])


def kfold_accuracy(
    scores: np.ndarray,
    same: np.ndarray,
    folds: np.ndarray,
    thresholds: np.ndarray = COSINE_THRESHOLDS,
) -> np.ndarray:
    """Accuracy of each fold with the threshold chosen on all the other folds."""
    scores, same, folds = np.asarray(scores, np.float64), np.asarray(same, bool), np.asarray(folds)
    accuracies = []
    for fold in np.unique(folds):
        test = folds == fold
        t = best_threshold(scores[~test], same[~test], thresholds)
        accuracies.append(accuracy_at(scores[test], same[test], np.array([t]))[0])
    return np.array(accuracies)


def roc_curve(scores: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false accept rate, true accept rate) as the threshold falls through every distinct score."""
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
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
