"""Paired bootstrap over test pairs: resample pairs (within folds) and recompute any statistic."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sphere.stats.intervals import LEVEL, Interval
from sphere.stats.paired import Effect


def paired_bootstrap(
    correct: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    strata: np.ndarray,
    resamples: int = 2000,
    seed: int = 0,
    level: float = LEVEL,
) -> Effect:
    """Percentile interval of `statistic(columns' accuracies in %)` over bootstrap resamples of the pairs.

    `correct` is pairs x models (the same pairs for every model, so resampling keeps them paired); pairs are
    drawn with replacement within each stratum (LFW fold), keeping each fold's size. Two-sided p =
    min(1, 2 min(P*(stat <= 0), P*(stat >= 0))) from the resampled statistics; one-sided p_greater = P*(stat <= 0),
    p_less = P*(stat >= 0)."""
    correct = np.asarray(correct, np.float64)
    strata = np.asarray(strata)
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    draws = np.empty(resamples)
    for r in range(resamples):
        rows = np.concatenate([rng.choice(g, len(g)) for g in groups])
        draws[r] = statistic(100 * correct[rows].mean(0))
    alpha = 1 - level
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    greater, less = float(np.mean(draws <= 0)), float(np.mean(draws >= 0))
    p = min(1.0, 2 * min(greater, less))
    estimate = statistic(100 * correct.mean(0))
    return Effect.of(
        Interval(float(estimate), float(low), float(high)),
        float(p),
        f"paired bootstrap over {len(correct)} pairs within folds ({resamples} resamples)",
        greater,
        less,
    )
