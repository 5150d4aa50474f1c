import math

import numpy as np
import pytest
from scipy import stats

from sphere.stats.claims import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    REPRODUCED,
    Cell,
    compare,
    practical_threshold,
    seed_variance,
    trend,
    verdict,
    weakest,
)
from sphere.stats.mcnemar import mcnemar_exact
from sphere.stats.paired import Effect, paired_seeds_folds
from sphere.stats.seeds import pooled_seed_variance

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
    assert "3 seeds x 10 folds" in mixed.test and "compares with this model, not its method" in mixed.test
    assert "these two models" in single.test


def test_trend_by_seeds_and_by_bootstrap():
    rng = np.random.default_rng(1)
    multi = {m: cell({s: 80 + 3 * m for s in range(3)}, rng) for m in (1, 2, 3, 4)}
    slope = trend(multi)
    x = np.repeat([1, 2, 3, 4], 3)
    y = [multi[m].accuracy()[s] for m in (1, 2, 3, 4) for s in range(3)]
    assert np.isclose(slope.estimate, np.polyfit(x, y, 1)[0]) and slope.test.startswith("OLS")
    single = trend({m: cell({0: 80 + 3 * m}, rng) for m in (1, 2, 3, 4)})
    assert single.test.startswith("paired bootstrap") and single.low > 0


def test_weakest_takes_the_smallest_effect_and_the_largest_one_sided_p():
    # two-sided p only: one-sided p in the claimed direction is p / 2 (estimate that way) or 1 - p / 2
    e = weakest([Effect(2.0, 1.0, 3.0, 0.01, "d4"), Effect(0.5, -0.2, 1.2, 0.2, "d64")], +1)
    assert e.estimate == 0.5 and np.isclose(e.p, 0.1) and e.test.startswith("d64") and "intersection-union" in e.test
    # the committed real run's d: d1 and d2 significant the WRONG way, so no intersection-union test can pass
    d = [Effect(-1.91, -3.05, -0.76, 0.00401, "d1"), Effect(7.34, 6.14, 8.55, 5.89e-8, "d3")]
    assert np.isclose(weakest(d, +1).p, 1 - 0.00401 / 2)  # was 0.00401 (largest two-sided p)


def test_intersection_union_p_from_the_tests_own_one_sided_p():
    # Berger (1982): H0 = union of "comparison i not in the claimed direction"; p_IU = max_i one-sided p_i
    statsmodels = pytest.importorskip("statsmodels.stats.weightstats")
    rng = np.random.default_rng(4)
    diffs = [rng.normal(mu, 1.0, 10) for mu in (1.2, 0.4, -0.8)]
    effects = [paired_seeds_folds(d[None]) for d in diffs]
    larger = [statsmodels.DescrStatsW(d).ttest_mean(0, alternative="larger")[1] for d in diffs]
    smaller = [statsmodels.DescrStatsW(d).ttest_mean(0, alternative="smaller")[1] for d in diffs]
    assert np.allclose([e.p_greater for e in effects], larger) and np.allclose([e.p_less for e in effects], smaller)
    assert np.isclose(weakest(effects, +1).p, max(larger)) and max(larger) > 0.9  # -0.8 is the wrong way
    assert np.isclose(weakest(effects, -1).p, max(smaller))
    # McNemar's one-sided p is exact binomial, not half the two-sided one (the discrete case)
    a, b = np.array([True] * 9 + [False] * 3 + [True] * 50), np.array([False] * 9 + [True] * 3 + [True] * 50)
    mc = mcnemar_exact(a, b)
    assert np.isclose(weakest([mc], +1).p, stats.binomtest(9, 12, alternative="greater").pvalue)
    assert np.isclose(weakest([mc], -1).p, stats.binomtest(9, 12, alternative="less").pvalue)


def test_practical_threshold_never_exceeds_the_papers_effect():
    assert practical_threshold(0.5, 0.32) == 0.32 and practical_threshold(0.5, 1.54) == 0.5
    assert practical_threshold(0.5, None) == 0.5 and practical_threshold(0.5, -0.2) == 0.5
    # an interval [0.1, 0.4] lies below 0.5 but not below the paper's own 0.32: the paper's effect is not excluded
    assert verdict([effect(-0.1, 0.4)], +1, 0.5) == NOT_REPRODUCED
    assert verdict([effect(-0.1, 0.4)], +1, practical_threshold(0.5, 0.32)) == INCONCLUSIVE
    # one threshold per comparison of an every-one-of claim
    assert verdict([effect(-0.1, 0.4), effect(-0.1, 0.6)], +1, [0.32, 0.5]) == INCONCLUSIVE
    assert verdict([effect(-0.1, 0.4), effect(-0.1, 0.6)], +1, [0.5, 0.5]) == NOT_REPRODUCED


def simulated_run(rng: np.random.Generator, seed_sd: float) -> tuple[list[np.ndarray], float]:
    """Fold accuracies (seeds x 10 folds) of 5 methods with 3 seeds and one (the last) with a single seed:
    method mean + seed draw + a fold effect shared by every method + noise; returns them and the true A - B."""
    means = rng.normal(85, 2, 6)
    fold = rng.normal(0, 1.5, 10)
    runs = [
        m + rng.normal(0, seed_sd, (n, 1)) + fold + rng.normal(0, 0.5, (n, 10)) for m, n in zip(means, [3] * 5 + [1])
    ]
    return runs, float(means[0] - means[-1])


@pytest.mark.parametrize("seed_sd", [0.3, 1.0])
def test_single_model_side_interval_covers_the_method_difference(seed_sd):
    rng = np.random.default_rng(int(seed_sd * 10))
    covered_old = covered_new = 0
    trials = 600
    for _ in range(trials):
        runs, truth = simulated_run(rng, seed_sd)
        diff = runs[0] - runs[-1]  # A's 3 seeds paired with B's one model
        old = paired_seeds_folds(diff)
        pooled = pooled_seed_variance([r.mean(1) for r in runs])
        assert pooled is not None and pooled.df == 10
        new = paired_seeds_folds(diff, extra_variance=pooled.variance, extra_df=pooled.df)
        covered_old += old.low <= truth <= old.high
        covered_new += new.low <= truth <= new.high
    assert covered_old / trials < 0.9  # the 79-87 %: B's seed draw was not in the interval
    assert 0.93 <= covered_new / trials <= 0.99


def test_compare_adds_the_pooled_seed_variance_of_a_single_model_side():
    rng = np.random.default_rng(5)
    a, b, c = cell({0: 90, 1: 89, 2: 91}, rng), cell({0: 85}, rng), cell({0: 80, 1: 82, 2: 81}, rng)
    pooled = seed_variance([a, b, c])
    assert pooled is not None and pooled.df == 4 and pooled.methods == 2
    with_seeds, without = compare(a, b, pooled), compare(a, b)
    assert (
        np.isclose(with_seeds.estimate, without.estimate)
        and with_seeds.high - with_seeds.low > without.high - without.low
    )
    assert "seed variance added" in with_seeds.test and f"{pooled.df} df" in with_seeds.test
    diff = np.array([a.fold_accuracy[s] - b.fold_accuracy[0] for s in range(3)])
    parts = [(diff.mean(0).var(ddof=1) / 10, 9), (diff.mean(1).var(ddof=1) / 3, 2), (pooled.variance, 4)]
    var = sum(v for v, _ in parts)
    df = var**2 / sum(v**2 / k for v, k in parts)  # Welch-Satterthwaite over the three terms
    half = stats.t.ppf(0.975, df) * np.sqrt(var)
    assert np.allclose([with_seeds.low, with_seeds.high], [diff.mean() - half, diff.mean() + half])
    both_seeded = compare(a, c, pooled)
    assert both_seeded == compare(a, c)  # nothing added when both sides have seeds
