"""Paired comparisons of two methods scored on the same test folds, and the slope of a metric on m.

Every test returns an `Effect`: the estimate, its 95 % interval, the two-sided p and a sentence naming the
test, as the claims table (tables/claims.csv) prints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sphere.stats.intervals import LEVEL, Interval, t_from_se


@dataclass(frozen=True)
class Effect:
    estimate: float
    low: float
    high: float
    p: float
    test: str

    @classmethod
    def of(cls, interval: Interval, p: float, test: str) -> Effect:
        return cls(interval.estimate, interval.low, interval.high, p, test)


def paired_seeds_folds(diff: np.ndarray, level: float = LEVEL) -> Effect:
    """Mean of a seeds x folds matrix of paired differences (method A minus B, same seed, same fold).

    Seeds and folds are crossed (every seed is scored on the same folds), so the difference has a seed
    component and a fold component: var(mean) ~ var(row means) / S + var(column means) / F (each with
    ddof 1; this counts the residual twice, so it errs wide), with Welch-Satterthwaite degrees of freedom.
    With one seed it is the paired t-test over folds.
    """
    d = np.atleast_2d(np.asarray(diff, np.float64))
    seeds, folds = d.shape
    fold_part = d.mean(0).var(ddof=1) / folds
    if seeds == 1:
        var, df = fold_part, folds - 1
        test = f"paired t over {folds} folds (1 seed)"
    else:
        seed_part = d.mean(1).var(ddof=1) / seeds
        var = seed_part + fold_part
        df = var**2 / (seed_part**2 / (seeds - 1) + fold_part**2 / (folds - 1)) if var > 0 else seeds - 1
        test = f"paired over {seeds} seeds x {folds} folds (crossed variance, Satterthwaite df {df:.1f})"
    interval, p = t_from_se(float(d.mean()), math.sqrt(var), df, level)
    return Effect.of(interval, p, test)


def ols_slope(x: np.ndarray, y: np.ndarray, level: float = LEVEL) -> Effect:
    """Least-squares slope of y on x with its t-interval (n - 2 df): the trend of a metric on m."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    n = len(x)
    if n < 3:
        raise ValueError(f"a slope with a confidence interval needs 3 or more points, got {n}")
    sxx = np.sum((x - x.mean()) ** 2)
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    residual = y - y.mean() - slope * (x - x.mean())
    se = math.sqrt(np.sum(residual**2) / (n - 2) / sxx)
    interval, p = t_from_se(slope, se, n - 2, level)
    return Effect.of(interval, p, f"OLS slope over {n} (m, seed) cells, t ({n - 2} df)")
