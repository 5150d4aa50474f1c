"""McNemar's exact test of two models scored on the same pairs, with the matching exact interval."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sphere.stats.intervals import LEVEL, Interval, clopper_pearson
from sphere.stats.paired import Effect


def mcnemar_exact(correct_a: np.ndarray, correct_b: np.ndarray, level: float = LEVEL) -> Effect:
    """Accuracy of A minus B (percentage points) on the same pairs, from the discordant pairs only.

    b = pairs A gets right and B wrong, c = the reverse. Under H0 b ~ Binomial(b + c, 1/2): two-sided
    p = min(1, 2 P(X <= min(b, c))). The interval is Clopper-Pearson on b / (b + c) mapped to the
    difference (b - c) / n = (b + c) / n (2 pi - 1), conditional on b + c: it excludes 0 exactly when p < 0.05.
    One-sided: p_greater = P(X >= b), p_less = P(X <= b).
    """
    a, bb = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != bb.shape:
        raise ValueError(f"the two models were scored on different pairs: {a.shape} vs {bb.shape}")
    n = len(a)
    b, c = int(np.sum(a & ~bb)), int(np.sum(~a & bb))
    test = f"McNemar exact (binomial) on {n} pairs, {b} vs {c} discordant"
    estimate = 100 * (b - c) / n
    if b + c == 0:
        return Effect(estimate, 0.0, 0.0, 1.0, test, 1.0, 1.0)
    p = min(1.0, 2 * float(stats.binom.cdf(min(b, c), b + c, 0.5)))
    greater, less = float(stats.binom.sf(b - 1, b + c, 0.5)), float(stats.binom.cdf(b, b + c, 0.5))
    low, high = clopper_pearson(b, b + c, level)
    scale = 100 * (b + c) / n
    return Effect.of(Interval(estimate, scale * (2 * low - 1), scale * (2 * high - 1)), p, test, greater, less)
