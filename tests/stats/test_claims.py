import math

import numpy as np

from sphere.stats.claims import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    REPRODUCED,
    Cell,
    compare,
    trend,
    verdict,
    weakest,
)
from sphere.stats.paired import Effect

FOLDS = np.repeat(np.arange(10), 300)


def cell(accuracy_by_seed: dict[int, float], rng: np.random.Generator) -> Cell:
    """Per-pair correctness at roughly the given accuracy, fold accuracies computed from it."""
    correct = {s: rng.random(len(FOLDS)) < acc / 100 for s, acc in accuracy_by_seed.items()}
    folds = {s: np.array([100 * c[FOLDS == f].mean() for f in range(10)]) for s, c in correct.items()}
    return Cell(folds, correct, FOLDS)


def effect(low: float, high: float) -> Effect:
    return Effect((low + high) / 2, low, high, 0.5, "t")


def test_verdict_rule():
    assert verdict([effect(0.2, 1.0)], +1) == REPRODUCED
    assert verdict([effect(-1.0, -0.2)], +1) == NOT_REPRODUCED
    assert verdict([effect(-1.0, -0.2)], -1) == REPRODUCED
    assert verdict([effect(-0.3, 1.0)], +1) == INCONCLUSIVE
    assert verdict([effect(-0.3, 0.4)], +1, min_effect=0.5) == NOT_REPRODUCED  # too small to matter
    assert verdict([effect(0.1, 0.4)], +1, min_effect=0.5) == REPRODUCED  # the sign claim still holds
    assert verdict([effect(0.2, 1.0), effect(-0.1, 2.0)], +1) == INCONCLUSIVE  # every one must hold
    assert verdict([Effect(1.0, math.nan, math.nan, math.nan, "1 seed")], +1, 0.5) == INCONCLUSIVE


def test_single_models_use_mcnemar_and_seeds_use_the_crossed_test():
    rng = np.random.default_rng(0)
    single = compare(cell({0: 90}, rng), cell({0: 85}, rng))
    assert single.test.startswith("McNemar")
    a, b = cell({0: 90, 1: 89, 2: 91}, rng), cell({0: 85, 1: 86, 2: 84}, rng)
    multi = compare(a, b)
    assert "3 seeds x 10 folds" in multi.test
    expected = np.mean([a.fold_accuracy[s] - b.fold_accuracy[s] for s in range(3)])
    assert np.isclose(multi.estimate, expected) and multi.low > 0
    mixed = compare(a, cell({0: 85}, rng))
    assert "3 seeds x 10 folds" in mixed.test and mixed.test.endswith("one side a single seed")


def test_trend_by_seeds_and_by_bootstrap():
    rng = np.random.default_rng(1)
    multi = {m: cell({s: 80 + 3 * m for s in range(3)}, rng) for m in (1, 2, 3, 4)}
    slope = trend(multi)
    x = np.repeat([1, 2, 3, 4], 3)
    y = [multi[m].accuracy()[s] for m in (1, 2, 3, 4) for s in range(3)]
    assert np.isclose(slope.estimate, np.polyfit(x, y, 1)[0]) and slope.test.startswith("OLS")
    single = trend({m: cell({0: 80 + 3 * m}, rng) for m in (1, 2, 3, 4)})
    assert single.test.startswith("paired bootstrap") and single.low > 0


def test_weakest_takes_the_smallest_effect_and_the_largest_p():
    e = weakest([Effect(2.0, 1.0, 3.0, 0.01, "d4"), Effect(0.5, -0.2, 1.2, 0.2, "d64")], +1)
    assert e.estimate == 0.5 and e.p == 0.2 and e.test == "d64"
