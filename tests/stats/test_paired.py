import numpy as np
import pytest
from scipy import stats

from sphere.stats.paired import ols_slope, paired_seeds_folds


def test_one_seed_is_the_paired_t_test_over_folds():
    rng = np.random.default_rng(1)
    a, b = 88 + rng.normal(0, 1.4, 10), 86 + rng.normal(0, 1.4, 10)
    effect = paired_seeds_folds((a - b)[None])
    reference = stats.ttest_rel(a, b)
    assert np.isclose(effect.estimate, np.mean(a - b)) and np.isclose(effect.p, reference.pvalue)
    ci = reference.confidence_interval(0.95)
    assert np.allclose([effect.low, effect.high], [ci.low, ci.high])


def test_crossed_variance_by_plain_loops():
    d = np.array([[1.0, 2.0, 0.5, 1.5], [2.0, 3.5, 1.0, 2.5], [0.0, 1.0, -0.5, 1.0]])
    seeds, folds = d.shape
    rows = [sum(d[s]) / folds for s in range(seeds)]
    cols = [sum(d[s][f] for s in range(seeds)) / seeds for f in range(folds)]
    grand = sum(rows) / seeds
    v_seed = sum((r - grand) ** 2 for r in rows) / (seeds - 1) / seeds
    v_fold = sum((c - grand) ** 2 for c in cols) / (folds - 1) / folds
    df = (v_seed + v_fold) ** 2 / (v_seed**2 / (seeds - 1) + v_fold**2 / (folds - 1))
    half = stats.t.ppf(0.975, df) * (v_seed + v_fold) ** 0.5
    effect = paired_seeds_folds(d)
    assert np.isclose(effect.estimate, grand) and np.allclose([effect.low, effect.high], [grand - half, grand + half])
    assert "3 seeds x 4 folds" in effect.test


def test_crossed_interval_covers_the_truth():
    # d_sf = seed effect + fold effect + noise, true mean 0: the 95 % interval should cover 0 at least ~95 %.
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(800):
        d = rng.normal(0, 1.0, (3, 1)) + rng.normal(0, 1.5, (1, 10)) + rng.normal(0, 0.7, (3, 10))
        e = paired_seeds_folds(d)
        covered += e.low <= 0 <= e.high
    assert covered / 800 >= 0.93


def test_slope_matches_linregress():
    x = np.repeat([1.0, 2.0, 3.0, 4.0], 3)
    y = 86 + 0.8 * x + np.random.default_rng(2).normal(0, 0.5, 12)
    effect, reference = ols_slope(x, y), stats.linregress(x, y)
    half = stats.t.ppf(0.975, 10) * reference.stderr
    assert np.isclose(effect.estimate, reference.slope) and np.isclose(effect.p, reference.pvalue)
    assert np.allclose([effect.low, effect.high], [reference.slope - half, reference.slope + half])
    with pytest.raises(ValueError, match="3 or more"):
        ols_slope([1.0, 2.0], [3.0, 4.0])


def test_one_sided_p_match_statsmodels_and_a_one_seed_extra_term_widens():
    weightstats = pytest.importorskip("statsmodels.stats.weightstats")
    d = np.random.default_rng(7).normal(0.6, 1.0, 10)
    effect = paired_seeds_folds(d[None])
    assert np.isclose(effect.p_greater, weightstats.DescrStatsW(d).ttest_mean(0, alternative="larger")[1])
    assert np.isclose(effect.p_less, weightstats.DescrStatsW(d).ttest_mean(0, alternative="smaller")[1])
    slope = ols_slope(np.arange(6.0), np.array([1.0, 1.4, 1.3, 2.2, 2.0, 2.9]))
    assert np.isclose(slope.p_greater, slope.p / 2) and np.isclose(slope.p_less, 1 - slope.p / 2)
    wider = paired_seeds_folds(d[None], extra_variance=0.25, extra_df=6)
    fold = d.var(ddof=1) / 10
    df = (fold + 0.25) ** 2 / (fold**2 / 9 + 0.25**2 / 6)
    assert np.isclose(wider.high - wider.estimate, stats.t.ppf(0.975, df) * np.sqrt(fold + 0.25))
