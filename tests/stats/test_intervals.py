import math

import numpy as np
from scipy import stats

from sphere.stats.intervals import clopper_pearson, t_from_se, t_interval
from sphere.stats.seeds import seed_summary


def test_t_interval_by_hand_and_scipy():
    interval = t_interval([1.0, 2.0, 3.0])
    half = 4.302652729911275 / math.sqrt(3)  # t_{0.975, 2} from a table, s = 1
    assert np.allclose([interval.low, interval.high], [2 - half, 2 + half])
    x = np.array([86.1, 87.4, 85.9, 88.0])
    assert np.allclose([t_interval(x).low, t_interval(x).high], stats.t.interval(0.95, 3, x.mean(), stats.sem(x)))


def test_single_seed_has_no_interval():
    summary = seed_summary([86.53])
    assert summary["mean"] == 86.53 and summary["seeds"] == 1
    assert all(math.isnan(summary[k]) for k in ("std_seeds", "ci_low", "ci_high"))
    assert not t_interval([1.0]).excludes_zero()


def test_seed_summary_std_is_sample_std():
    assert np.isclose(
        seed_summary([1.0, 2.0, 4.0])["std_seeds"],
        math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 2),
    )


def test_clopper_pearson_matches_scipy_and_closed_forms():
    for k, n in [(3, 10), (17, 40), (1, 5)]:
        ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
        assert np.allclose(clopper_pearson(k, n), (ci.low, ci.high))
    # k = 0 and k = n have closed forms: 1 - (alpha / 2)^(1/n) and its mirror
    assert np.allclose(clopper_pearson(0, 10), (0.0, 1 - 0.025**0.1))
    assert np.allclose(clopper_pearson(10, 10), (0.025**0.1, 1.0))


def test_t_from_se_p_matches_a_z_like_limit():
    interval, p = t_from_se(1.96, 1.0, 1e6)
    assert abs(p - 0.05) < 1e-3 and np.isclose(interval.low, 0, atol=1e-3)
    assert t_from_se(0.5, 0.0, 3)[1] == 0.0 and t_from_se(0.0, 0.0, 3)[1] == 1.0
