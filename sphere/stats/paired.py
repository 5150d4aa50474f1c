"""Paired comparisons of two methods scored on the same test folds, and the slope of a metric on m.

Every test returns an `Effect`: the estimate, its 95 % interval, the two-sided p, the two one-sided p values
and a sentence naming the test, as the claims table (tables/claims.csv) prints them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sphere.stats.intervals import LEVEL, Interval, t_from_se, t_one_sided


@dataclass(frozen=True)
class Effect:
    """`p` is two-sided; `p_greater` / `p_less` are the one-sided p values against H1: effect > 0 / < 0 (NaN
    where the test did not report them)."""

    estimate: float
    low: float
    high: float
    p: float
    test: str
    p_greater: float = math.nan
    p_less: float = math.nan

    @classmethod
    def of(
        cls, interval: Interval, p: float, test: str, p_greater: float = math.nan, p_less: float = math.nan
    ) -> Effect:
        return cls(interval.estimate, interval.low, interval.high, p, test, p_greater, p_less)

    def one_sided_p(self, sign: int) -> float:
        """p of H0: sign * effect <= 0 against sign * effect > 0 (the claimed direction). A test that reported
        only its two-sided p is taken as symmetric: p / 2 with the estimate in that direction, else 1 - p / 2."""
        p = self.p_greater if sign > 0 else self.p_less
        if math.isnan(p) and not math.isnan(self.p):
            p = self.p / 2 if sign * self.estimate > 0 else 1 - self.p / 2
        return p


def paired_seeds_folds(
    diff: np.ndarray, level: float = LEVEL, extra_variance: float = 0.0, extra_df: float = math.inf
) -> Effect:
    """Mean of a seeds x folds matrix of paired differences (method A minus B, same seed, same fold).

    Seeds and folds are crossed (every seed is scored on the same folds), so the difference has a seed
    component and a fold component: var(mean) ~ var(row means) / S + var(column means) / F (each with
    ddof 1; this counts the residual twice, so it errs wide), with Welch-Satterthwaite degrees of freedom.
    With one seed it is the paired t-test over folds. `extra_variance` (an estimate with `extra_df` degrees of
    freedom) is a further independent term of var(mean): the seed variance of a side that has one model, whose
    own seed draw is common to every row and so absent from the row spread; it enters the Satterthwaite sum too.
    """
    d = np.atleast_2d(np.asarray(diff, np.float64))
    seeds, folds = d.shape
    parts = [(d.mean(0).var(ddof=1) / folds, folds - 1)]  # (variance term, its degrees of freedom)
    if seeds > 1:
        parts.append((d.mean(1).var(ddof=1) / seeds, seeds - 1))
    if extra_variance > 0:
        parts.append((extra_variance, extra_df))
    var = sum(v for v, _ in parts)
    df = var**2 / sum(v**2 / k for v, k in parts) if len(parts) > 1 and var > 0 else parts[-1][1]
    if seeds > 1:
        test = f"paired over {seeds} seeds x {folds} folds (crossed variance, Satterthwaite df {df:.1f})"
    elif extra_variance > 0:
        test = f"paired t over {folds} folds (1 seed; Satterthwaite df {df:.1f})"
    else:
        test = f"paired t over {folds} folds (1 seed)"
    se = math.sqrt(var)
    interval, p = t_from_se(float(d.mean()), se, df, level)
    return Effect.of(interval, p, test, *t_one_sided(float(d.mean()), se, df))


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
    return Effect.of(interval, p, f"OLS slope over {n} (m, seed) cells, t ({n - 2} df)", *t_one_sided(slope, se, n - 2))
