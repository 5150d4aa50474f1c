"""Named scoring rules of pair verification, each as its project's public evaluation code does it
(docs/fidelity.md, docs/paper.md §6), so one set of features gives the figure every harness would print.

- `released`: wy1iu/sphereface `test/code/evaluation.m`. Feature = [f(face); f(flip)] concatenated;
  per test fold the mean feature of the other folds' pair images is subtracted, rows L2-normalised,
  cosine score; threshold = mean of all grid thresholds (-10000:10000)/10000 reaching the best
  accuracy on the other folds; a same pair is right when score > t, a different pair when score < t.
- `insightface`: deepinsight/insightface `recognition/arcface_torch/eval/verification.py`.
  Embedding = normalise(f(face) + f(flip)); squared L2 distance; thresholds 0 to 4 step 0.01
  (`np.arange(0, 4, 0.01)`); 10 folds of the pair list in order (sklearn KFold without shuffle: the
  first n % 10 folds one pair longer); the first threshold with the best accuracy on the 9 training
  folds (argmax); a pair is called same when distance < t; no mean subtraction; mean and std
  (population) of the 10 test-fold accuracies.
- `opensphere`: ydwen/opensphere `opensphere/dataset/utils.py` (`get_results`). Feature = the mean of
  f(face) and f(flip), re-normalised (`model.py` `get_feature`, `module/head/common.py`
  `weighted_average`); cosine; no folds: accuracy at the best single threshold over all pairs (every
  distinct score tried, same when score >= t), plus EER and ROC AUC.
- `facexzoo`: JDAI-CV/FaceX-Zoo `test_protocol/lfw/lfw_evaluator.py`. Cosine of the L2-normalised
  face feature (FaceX-Zoo's extractor takes no flip); the benchmark's 10 folds (600 pairs each on
  LFW); on the 9 training folds, 1000 thresholds evenly spaced above the lowest up to the highest
  training score, the first maximising TPR - FPR (a score > t is accepted); on the test fold a
  positive is right when score > t and a negative when score < t; the mean over folds and, as its
  spread, the standard error it reports (sample std / sqrt(folds)).

Every rule returns accuracy and std in percent and says how the flip half was used (`combine`).
"""

from __future__ import annotations

import numpy as np

from sphere.errors import InputError
from sphere.protocols.verification import (
    l2_normalise,
    released_folds,
    roc_auc,
    roc_curve,
)

RULES = ("released", "insightface", "opensphere", "facexzoo")
COMBINES = ("concat", "sum", "face")
# opensphere: model.py get_feature (face and flip) + head/common.py weighted_average (their mean, re-normalised)
DEFAULT_COMBINE = {"released": "concat", "insightface": "sum", "opensphere": "sum", "facexzoo": "face"}
SOURCES = {
    "released": "wy1iu/sphereface test/code/evaluation.m",
    "insightface": "deepinsight/insightface recognition/arcface_torch/eval/verification.py",
    "opensphere": "ydwen/opensphere opensphere/dataset/utils.py",
    "facexzoo": "JDAI-CV/FaceX-Zoo test_protocol/lfw/lfw_evaluator.py",
}
INSIGHTFACE_THRESHOLDS = np.arange(0, 4, 0.01)
INSIGHTFACE_FOLDS = 10
FACEXZOO_THRESHOLDS = 1000


def combine(face: np.ndarray, flip: np.ndarray | None, how: str) -> np.ndarray:
    """One feature per image from the face and flip halves: concatenated, summed, or the face only."""
    if how not in COMBINES:
        raise InputError(f"unknown flip combination {how!r}; expected one of {COMBINES}")
    face = np.asarray(face, np.float64)
    if flip is None or how == "face":
        return face
    flip = np.asarray(flip, np.float64)
    return np.concatenate([face, flip], axis=1) if how == "concat" else face + flip


def inorder_folds(n: int, k: int = INSIGHTFACE_FOLDS) -> np.ndarray:
    """Fold number of each of n pairs, k folds in order (sklearn KFold, shuffle=False)."""
    if n < k:
        raise InputError(f"{n} pairs cannot form {k} folds")
    sizes = np.full(k, n // k) + (np.arange(k) < n % k)
    return np.repeat(np.arange(k), sizes)


def _need_folds(folds: np.ndarray, rule: str) -> None:
    if len(np.unique(folds)) < 2:
        raise InputError(
            f"rule {rule!r} chooses thresholds on the other folds: the pair list needs at least "
            f"2 folds, it has {len(np.unique(folds))}"
        )


def released(a: np.ndarray, b: np.ndarray, same: np.ndarray, folds: np.ndarray, subtract_mean: bool = True) -> dict:
    """evaluation.m: mean subtraction per fold, cosine, mean-of-all-best threshold, strict > / <.
    `subtract_mean=False` is the project's YouTube Faces protocol (sphere.protocols.ytf), the same rule
    on video features without the LFW-only mean subtraction (no YTF evaluation code was released).
    `held_out_scores` (an array, one per pair: its score with its own fold's mean subtracted) is what
    sphere.evaluate.verify.released_details needs beside the thresholds, so the folds are run once."""
    _need_folds(folds, "released")
    accuracies, thresholds, held_out = released_folds(a, b, same, folds, subtract_mean)
    return {"fold_accuracy": accuracies, "thresholds": thresholds, "held_out_scores": held_out}


def _correct_below(dist: np.ndarray, same: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Pairs right at each t when 'same' means dist < t (insightface's np.less)."""
    s, d = np.sort(dist[same]), np.sort(dist[~same])
    return np.searchsorted(s, thresholds, side="left") + len(d) - np.searchsorted(d, thresholds, side="left")


def insightface(a: np.ndarray, b: np.ndarray, same: np.ndarray, folds: np.ndarray) -> dict:
    """verification.py calculate_roc: squared L2 of normalised embeddings, first best threshold."""
    _need_folds(folds, "insightface")
    a, b = l2_normalise(a), l2_normalise(b)
    dist = np.sum((a - b) ** 2, axis=1)
    order = inorder_folds(len(dist))
    accuracies, thresholds = [], []
    for fold in range(INSIGHTFACE_FOLDS):
        test = order == fold
        t = INSIGHTFACE_THRESHOLDS[np.argmax(_correct_below(dist[~test], same[~test], INSIGHTFACE_THRESHOLDS))]
        accuracies.append(100 * _correct_below(dist[test], same[test], np.array([t]))[0] / test.sum())
        thresholds.append(float(t))
    return {"fold_accuracy": accuracies, "thresholds": thresholds, "folds_used": "10 in pair-list order"}


def best_single_threshold(scores: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    """(accuracy, threshold): the best accuracy of 'same when score >= t' over every distinct score
    (and t above all scores); the highest such t on ties."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], same[order]
    last = np.r_[s[1:] != s[:-1], True]  # accept everything down to this distinct score
    tp = np.cumsum(y)[last]
    fp = np.cumsum(~y)[last]
    tn = (~same).sum() - fp
    correct = np.r_[(~same).sum(), tp + tn]  # first entry: nothing accepted
    cut = np.r_[np.inf, s[last]]
    k = int(np.argmax(correct))
    return 100 * correct[k] / len(scores), float(cut[k])


def equal_error_rate(scores: np.ndarray, same: np.ndarray) -> float:
    """EER (percent): the ROC point where false accept and false reject rates are closest, averaged."""
    far, tar = roc_curve(scores, same)
    frr = 1 - tar
    k = int(np.argmin(np.abs(far - frr)))
    return float(100 * (far[k] + frr[k]) / 2)


def opensphere(a: np.ndarray, b: np.ndarray, same: np.ndarray, folds: np.ndarray) -> dict:
    """dataset/utils.py: best single threshold over all pairs (no folds), EER, AUC."""
    scores = np.sum(l2_normalise(a) * l2_normalise(b), axis=1)
    accuracy, t = best_single_threshold(scores, same)
    return {
        "fold_accuracy": [accuracy],
        "thresholds": [t],
        "folds_used": "none (all pairs)",
        "eer": equal_error_rate(scores, same),
        "auc": roc_auc(scores, same),
    }


def facexzoo_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """lfw_evaluator.py getThreshold: 1000 steps over (min, max], first argmax of TPR - FPR (score > t)."""
    lo, hi = scores.min(), scores.max()
    grid = lo + (hi - lo) / FACEXZOO_THRESHOLDS * np.arange(1, FACEXZOO_THRESHOLDS + 1)
    pos, neg = np.sort(scores[same]), np.sort(scores[~same])
    tpr = (len(pos) - np.searchsorted(pos, grid, side="right")) / max(len(pos), 1)
    fpr = (len(neg) - np.searchsorted(neg, grid, side="right")) / max(len(neg), 1)
    return float(grid[np.argmax(tpr - fpr)])


def facexzoo(a: np.ndarray, b: np.ndarray, same: np.ndarray, folds: np.ndarray) -> dict:
    """lfw_evaluator.py: cosine, per fold the TPR - FPR threshold of the other folds; a positive is right when
    score > t, a negative when score < t; mean accuracy, and as spread the standard error it reports
    (sample std / sqrt(folds)). Its folds are fixed blocks of 600 pairs; here the pairs file's folds."""
    _need_folds(folds, "facexzoo")
    scores = np.sum(l2_normalise(a) * l2_normalise(b), axis=1)
    accuracies, thresholds = [], []
    for fold in np.unique(folds):
        test = folds == fold
        t = facexzoo_threshold(scores[~test], same[~test])
        right = np.where(same[test], scores[test] > t, scores[test] < t)
        accuracies.append(100 * right.mean())
        thresholds.append(t)
    return {
        "fold_accuracy": accuracies,
        "thresholds": thresholds,
        "std": float(np.std(accuracies, ddof=1) / np.sqrt(len(accuracies))),
    }


RULE_FUNCTIONS = {"released": released, "insightface": insightface, "opensphere": opensphere, "facexzoo": facexzoo}


def score_rule(
    rule: str,
    face1: np.ndarray,
    face2: np.ndarray,
    same: np.ndarray,
    folds: np.ndarray,
    flip1: np.ndarray | None = None,
    flip2: np.ndarray | None = None,
    how: str | None = None,
    subtract_mean: bool = True,
) -> dict:
    """Accuracy (percent, mean over folds), std and the rule's details for pairs (face1[i], face2[i]).
    `subtract_mean` only concerns the released rule (False on YTF, see `released`), whose result also holds
    the array `held_out_scores` (not JSON: a caller that writes the result takes it out first)."""
    if rule not in RULE_FUNCTIONS:
        raise InputError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)} or all")
    how = how or DEFAULT_COMBINE[rule]
    a, b = combine(face1, flip1, how), combine(face2, flip2, how)
    same, folds = np.asarray(same, bool), np.asarray(folds)
    extra = {"subtract_mean": subtract_mean} if rule == "released" else {}
    result = RULE_FUNCTIONS[rule](a, b, same, folds, **extra)
    fold_acc = np.asarray(result["fold_accuracy"], np.float64)
    return {
        "rule": rule,
        "source": SOURCES[rule],
        "accuracy": float(fold_acc.mean()),
        "std": float(fold_acc.std()) if len(fold_acc) > 1 else None,  # a rule's own definition overrides below
        "combine": how if flip1 is not None else "face (no flip half given)",
        **{k: (list(map(float, v)) if isinstance(v, list) else v) for k, v in result.items()},
    }
