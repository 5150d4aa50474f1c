"""Each named rule against a plain-loop re-derivation written from its project's procedure."""

import math

import numpy as np
import pytest

from sphere.errors import InputError
from sphere.protocols.rules import inorder_folds, score_rule


def toy_pairs(n=230, dim=6, folds=5, seed=0):
    """Pairs of noisy features: same pairs share an identity centre, different pairs do not."""
    rng = np.random.default_rng(seed)
    same = np.arange(n) % 2 == 0
    centres = rng.normal(size=(n, dim))
    face1 = centres + rng.normal(scale=0.9, size=(n, dim)) + 0.5
    other = np.where(same[:, None], centres, rng.normal(size=(n, dim)))
    face2 = other + rng.normal(scale=0.9, size=(n, dim)) + 0.5
    flip1 = face1 + rng.normal(scale=0.3, size=(n, dim))
    flip2 = face2 + rng.normal(scale=0.3, size=(n, dim))
    fold = np.repeat(np.arange(folds), math.ceil(n / folds))[:n]
    return face1, face2, flip1, flip2, same, fold


def unit(v):
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


def cosine(u, v):
    return sum(x * y for x, y in zip(unit(u), unit(v)))


def test_released_rule_re_derived_with_loops():
    face1, face2, flip1, flip2, same, fold = toy_pairs(n=150, folds=3)
    a = [list(f) + list(g) for f, g in zip(face1, flip1)]
    b = [list(f) + list(g) for f, g in zip(face2, flip2)]
    grid = np.arange(-10000, 10001) / 10000
    expected = []
    for k in sorted(set(fold)):
        train = [i for i in range(len(a)) if fold[i] != k]
        test = [i for i in range(len(a)) if fold[i] == k]
        mu = [sum(a[i][d] + b[i][d] for i in train) / (2 * len(train)) for d in range(len(a[0]))]
        s = np.array(
            [cosine([x - m for x, m in zip(a[i], mu)], [x - m for x, m in zip(b[i], mu)]) for i in range(len(a))]
        )
        accs = np.array([np.mean(np.where(same[train], s[train] > t, s[train] < t)) for t in grid])
        t = grid[accs == accs.max()].mean()
        expected.append(100 * sum((s[i] > t) if same[i] else (s[i] < t) for i in test) / len(test))
    got = score_rule("released", face1, face2, same, fold, flip1, flip2)
    assert got["fold_accuracy"] == pytest.approx(expected)
    assert got["accuracy"] == pytest.approx(sum(expected) / len(expected))
    assert got["combine"] == "concat"


def test_insightface_rule_re_derived_with_loops():
    face1, face2, flip1, flip2, same, fold = toy_pairs()
    n = len(same)
    emb1 = [unit(list(f + g)) for f, g in zip(face1, flip1)]
    emb2 = [unit(list(f + g)) for f, g in zip(face2, flip2)]
    dist = np.array([sum((x - y) ** 2 for x, y in zip(u, v)) for u, v in zip(emb1, emb2)])
    # sklearn KFold(10, shuffle=False): 230 pairs -> ten folds of 23, in order
    bounds = [0]
    for k in range(10):
        bounds.append(bounds[-1] + n // 10 + (1 if k < n % 10 else 0))
    thresholds = np.arange(0, 4, 0.01)
    expected = []
    for k in range(10):
        test = list(range(bounds[k], bounds[k + 1]))
        train = [i for i in range(n) if i not in test]
        best, best_acc = None, -1
        for t in thresholds:
            acc = sum((dist[i] < t) == same[i] for i in train) / len(train)
            if acc > best_acc:  # the first best, as np.argmax
                best, best_acc = t, acc
        expected.append(100 * sum((dist[i] < best) == same[i] for i in test) / len(test))
    got = score_rule("insightface", face1, face2, same, fold, flip1, flip2)
    assert got["fold_accuracy"] == pytest.approx(expected)
    assert got["std"] == pytest.approx(float(np.std(expected)))


def test_opensphere_rule_re_derived_with_loops():
    face1, face2, flip1, flip2, same, fold = toy_pairs(seed=3)
    # Model.get_feature + weighted_average: the mean of face and flip features, re-normalised; cosine
    s = [
        cosine([a + b for a, b in zip(f, g)], [a + b for a, b in zip(h, k)])
        for f, g, h, k in zip(face1, flip1, face2, flip2)
    ]
    best = max(sum((x >= t) == y for x, y in zip(s, same)) for t in s + [math.inf]) / len(s)
    got = score_rule("opensphere", face1, face2, same, fold, flip1, flip2)
    assert got["accuracy"] == pytest.approx(100 * best) and got["std"] is None
    # EER: the point of the ROC where false accepts and false rejects meet
    pos = [x for x, y in zip(s, same) if y]
    neg = [x for x, y in zip(s, same) if not y]
    gaps = [
        (
            abs(sum(v >= t for v in neg) / len(neg) - sum(v < t for v in pos) / len(pos)),
            (sum(v >= t for v in neg) / len(neg) + sum(v < t for v in pos) / len(pos)) / 2,
        )
        for t in s
    ]
    assert got["eer"] == pytest.approx(100 * min(gaps)[1])
    auc = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))
    assert got["auc"] == pytest.approx(auc)


def test_facexzoo_rule_re_derived_with_loops():
    face1, face2, flip1, flip2, same, fold = toy_pairs(seed=5)
    s = np.array([cosine(f, h) for f, h in zip(face1, face2)])
    expected = []
    for k in sorted(set(fold)):
        train = [i for i in range(len(s)) if fold[i] != k]
        test = [i for i in range(len(s)) if fold[i] == k]
        lo, hi = min(s[train]), max(s[train])
        best, best_gap = None, -2
        for j in range(1, 1001):
            t = lo + (hi - lo) / 1000 * j
            tpr = sum(s[i] > t for i in train if same[i]) / sum(same[i] for i in train)
            fpr = sum(s[i] > t for i in train if not same[i]) / sum(not same[i] for i in train)
            if tpr - fpr > best_gap:
                best, best_gap = t, tpr - fpr
        # test_one_model: positives right when > t, negatives when < t (a tie is wrong both ways)
        expected.append(100 * sum((s[i] > best) if same[i] else (s[i] < best) for i in test) / len(test))
    got = score_rule("facexzoo", face1, face2, same, fold, flip1, flip2)
    assert got["fold_accuracy"] == pytest.approx(expected)
    # its reported spread is the standard error: sample std (ddof 1) / sqrt(number of folds)
    assert got["std"] == pytest.approx(float(np.std(expected, ddof=1) / np.sqrt(len(expected))))
    assert got["combine"] == "face"


def test_kfold_rules_refuse_a_single_fold():
    face1, face2, flip1, flip2, same, _ = toy_pairs(n=40)
    for rule in ("released", "insightface", "facexzoo"):
        with pytest.raises(InputError, match="at least 2 folds"):
            score_rule(rule, face1, face2, same, np.zeros(40, int))
    assert score_rule("opensphere", face1, face2, same, np.zeros(40, int))["accuracy"] > 50


def test_inorder_folds_match_kfold_sizes():
    assert np.bincount(inorder_folds(23, 10)).tolist() == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    with pytest.raises(InputError):
        inorder_folds(5, 10)
