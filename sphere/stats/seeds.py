"""Aggregation over training seeds: mean, sample std and the 95 % t-interval of a per-seed metric, and the seed
variance pooled over methods (what a single-model side of a comparison lacks)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sphere.stats.intervals import LEVEL, t_interval


def seed_summary(values: np.ndarray | list[float], level: float = LEVEL) -> dict[str, float]:
    """`mean`, `std_seeds` (ddof 1) and `ci_low` / `ci_high` (t-interval over seeds, t with n - 1 df) of
    one metric measured once per seed, and `seeds` (n); std and interval are NaN for a single seed."""
    x = np.asarray(values, np.float64)
    interval = t_interval(x, level)
    return {
        "mean": interval.estimate,
        "std_seeds": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
        "ci_low": interval.low,
        "ci_high": interval.high,
        "seeds": len(x),
    }


@dataclass(frozen=True)
class SeedVariance:
    """The variance of one model's metric across training seeds (same test set), pooled over methods."""

    variance: float
    df: int
    methods: int

    @property
    def std(self) -> float:
        return math.sqrt(self.variance)


def pooled_seed_variance(per_method: list[np.ndarray | list[float]]) -> SeedVariance | None:
    """Within-method variance of a per-seed metric pooled over the methods that have 2 or more seeds:
    sum over methods of sum_s (x_ms - mean_m)^2, divided by sum_m (n_m - 1) (the residual mean square of a
    one-way ANOVA with method as the factor). None where no method has 2 seeds."""
    groups = [np.asarray(x, np.float64) for x in per_method if len(x) > 1]
    if not groups:
        return None
    df = sum(len(x) - 1 for x in groups)
    variance = sum(float(np.sum((x - x.mean()) ** 2)) for x in groups) / df
    return SeedVariance(variance, df, len(groups))
