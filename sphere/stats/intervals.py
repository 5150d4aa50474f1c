"""Confidence intervals: Student t over seeds, Clopper-Pearson for a binomial proportion (95 % by default)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean (or effect) with its two-sided confidence interval; NaN bounds where none exists (n < 2)."""

    estimate: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def t_interval(values: np.ndarray | list[float], level: float = LEVEL) -> Interval:
    """mean +- t_{(1+level)/2, n-1} s / sqrt(n), s the sample std (ddof 1): the t-interval over seeds."""
    x = np.asarray(values, np.float64)
    mean = float(x.mean())
    if len(x) < 2:
        return Interval(mean, math.nan, math.nan)
    half = float(stats.t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return Interval(mean, mean - half, mean + half)


def t_from_se(estimate: float, se: float, df: float, level: float = LEVEL) -> tuple[Interval, float]:
    """The t-interval and the two-sided p of H0: effect = 0 for an estimate with standard error `se`."""
    if se == 0:  # every difference equal: no spread to test against
        return Interval(estimate, estimate, estimate), (1.0 if estimate == 0 else 0.0)
    half = float(stats.t.ppf((1 + level) / 2, df) * se)
    p = float(2 * stats.t.sf(abs(estimate) / se, df))
    return Interval(estimate, estimate - half, estimate + half), p


def t_one_sided(estimate: float, se: float, df: float) -> tuple[float, float]:
    """One-sided p values (H1: effect > 0, H1: effect < 0) of the t statistic estimate / se with `df`."""
    if se == 0:
        return (0.0 if estimate > 0 else 1.0), (0.0 if estimate < 0 else 1.0)
    t = estimate / se
    return float(stats.t.sf(t, df)), float(stats.t.cdf(t, df))


def clopper_pearson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a binomial proportion k / n from beta quantiles."""
    alpha = 1 - level
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high
