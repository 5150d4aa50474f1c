"""Benchmark: the LFW View-2 protocol (docs/paper.md §3; docs/formats.md) on 6,000 pairs: 10 folds of 300 same and 300
different pairs, mean subtraction, cosine scores, threshold grid [-1, 1] step 1e-4 on the 9 other folds.

Features are 1,024-d (FC1 + mirrored FC1) of 7,500 synthetic images, 5 per identity, drawn around one
centre per identity so that the protocol has something to find.

In a normal test run (`--benchmark-disable` in addopts) it runs once and its assertions hold.
For figures:  pytest tests/benchmarks --benchmark-enable
"""

from __future__ import annotations

import numpy as np

from sphere.evaluate.verify import released_details
from sphere.formats.lfw import Pair
from sphere.protocols.rules import score_rule

FOLDS, HALF, IDENTITIES, PER_IDENTITY, DIM = 10, 300, 1500, 5, 1024


def synthetic_lfw(seed: int = 0) -> tuple[list[Pair], np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    paths = [f"id{i:04d}/{k}.jpg" for i in range(IDENTITIES) for k in range(PER_IDENTITY)]
    centres = rng.normal(size=(IDENTITIES, DIM))
    features = np.repeat(centres, PER_IDENTITY, axis=0) + 3.0 * rng.normal(size=(len(paths), DIM))
    pairs = []
    for fold in range(FOLDS):
        for _ in range(HALF):
            i, (a, b) = rng.integers(IDENTITIES), rng.choice(PER_IDENTITY, 2, replace=False)
            pairs.append(Pair(fold, f"id{i:04d}/{a}.jpg", f"id{i:04d}/{b}.jpg", True))
        for _ in range(HALF):
            (i, j), (a, b) = rng.choice(IDENTITIES, 2, replace=False), rng.integers(PER_IDENTITY, size=2)
            pairs.append(Pair(fold, f"id{i:04d}/{a}.jpg", f"id{j:04d}/{b}.jpg", False))
    return pairs, features.astype(np.float32), paths


def lfw_protocol(pairs: list[Pair], features: np.ndarray, paths: list[str]) -> tuple[dict, dict, object]:
    """What the DAG's LFW job computes (`sphere evaluate --rule released --pair-scores`): the rule's folds,
    then the pooled ROC and the per-pair frame."""
    row = {p: i for i, p in enumerate(paths)}
    a = features[[row[p.path1] for p in pairs]].astype(np.float64)
    b = features[[row[p.path2] for p in pairs]].astype(np.float64)
    same, folds = np.array([p.same for p in pairs]), np.array([p.fold for p in pairs])
    return score_rule("released", a, b, same, folds), *released_details(a, b, same, folds, subtract_mean=True)


def test_lfw_protocol(benchmark):
    pairs, features, paths = synthetic_lfw()
    result, roc, frame = benchmark(lfw_protocol, pairs, features, paths)
    benchmark.extra_info["pairs_per_call"] = len(pairs)

    assert len(result["fold_accuracy"]) == FOLDS and len(frame) == FOLDS * 2 * HALF
    assert np.isclose(result["accuracy"], np.mean(result["fold_accuracy"]))
    assert np.isfinite(frame["score"]).all()
    # Same-identity pairs share a centre, so the protocol separates them well but not perfectly.
    assert 90 < result["accuracy"] < 100 and 0.95 < roc["auc"] <= 1
