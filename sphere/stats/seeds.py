"""Aggregation over training seeds: mean, sample std and the 95 % t-interval of a per-seed metric."""

from __future__ import annotations

import math

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
