import numpy as np

from sphere.stats.bootstrap import paired_bootstrap


def difference(acc: np.ndarray) -> float:
    return float(acc[0] - acc[1])


def test_interval_close_to_the_normal_approximation():
    rng = np.random.default_rng(3)
    n = 4000
    a = rng.random(n) < 0.88
    b = np.where(rng.random(n) < 0.8, a, rng.random(n) < 0.86)  # correlated with a
    effect = paired_bootstrap(np.column_stack([a, b]), difference, np.arange(n) % 10, resamples=1000)
    d = 100 * (a.astype(float) - b)
    se = d.std(ddof=1) / np.sqrt(n)
    assert np.isclose(effect.estimate, d.mean())
    assert abs(effect.low - (d.mean() - 1.96 * se)) < 0.25 * se * 1.96
    assert abs(effect.high - (d.mean() + 1.96 * se)) < 0.25 * se * 1.96


def test_all_discordant_one_way_excludes_zero():
    a = np.ones(100, bool)
    b = np.arange(100) % 5 != 0  # B wrong on 20 pairs A gets right
    effect = paired_bootstrap(np.column_stack([a, b]), difference, np.arange(100) % 10, resamples=500)
    assert effect.low > 0 and effect.p < 0.01 and np.isclose(effect.estimate, 20.0)


def test_one_sided_p_are_the_resampled_tails():
    a = np.ones(100, bool)
    b = np.arange(100) % 5 != 0
    effect = paired_bootstrap(np.column_stack([b, a]), difference, np.arange(100) % 10, resamples=500)
    assert effect.estimate < 0 and effect.p_greater == 1.0 and effect.p_less < 0.01  # every draw is below 0
    assert np.isclose(effect.p, min(1.0, 2 * min(effect.p_greater, effect.p_less)))
