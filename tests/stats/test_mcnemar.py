import numpy as np
import pytest
from scipy import stats

from sphere.stats.mcnemar import mcnemar_exact


def pairs(b: int, c: int, both: int = 80, neither: int = 10) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([True] * b + [False] * c + [True] * both + [False] * neither)
    other = np.array([False] * b + [True] * c + [True] * both + [False] * neither)
    return a, other


def test_hand_computed_example():
    # b = 9, c = 1: P(X <= 1 | 10, 1/2) = 11 / 1024, doubled
    effect = mcnemar_exact(*pairs(9, 1))
    assert np.isclose(effect.p, 22 / 1024) and np.isclose(effect.estimate, 100 * 8 / 100)
    assert effect.low > 0 and "9 vs 1 discordant" in effect.test


def test_p_matches_scipy_binomtest_and_interval_agrees_with_p():
    for b, c in [(12, 5), (30, 18), (7, 7), (3, 14), (40, 25), (0, 6)]:
        effect = mcnemar_exact(*pairs(b, c))
        assert np.isclose(effect.p, stats.binomtest(b, b + c).pvalue)
        assert (effect.low > 0 or effect.high < 0) == (effect.p < 0.05)
        assert effect.low <= effect.estimate <= effect.high


def test_no_discordant_pairs_is_no_difference():
    effect = mcnemar_exact(*pairs(0, 0))
    assert effect.estimate == 0 and effect.p == 1.0


def test_one_sided_and_two_sided_p_agree_with_statsmodels():
    contingency = pytest.importorskip("statsmodels.stats.contingency_tables")
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for b, c in [(12, 5), (3, 14), (7, 7)]:
        a, other = pairs(b, c)
        effect = mcnemar_exact(a, other)
        table = [[80, b], [c, 10]]  # rows: A right / wrong; columns: B right / wrong
        assert np.isclose(effect.p, contingency.mcnemar(table, exact=True).pvalue)
        assert np.isclose(effect.p_greater, proportion.binom_test(b, b + c, 0.5, alternative="larger"))
        assert np.isclose(effect.p_less, proportion.binom_test(b, b + c, 0.5, alternative="smaller"))
