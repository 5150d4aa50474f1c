"""Verdicts on the paper's claims from paired effects (tables/claims.csv; README "Claims and verdicts").

Verdict rule, per claim with an expected sign (+1: the paper's effect is positive) and 95 % intervals:
- reproduced: the effect has the paper's sign and its interval excludes 0 (for a claim made of several
  comparisons, e.g. "ahead at every depth", every one of them: an intersection-union test, p = max p);
- not reproduced: an interval excludes 0 with the opposite sign, or, for an ordering claim with a
  practically relevant effect `min_effect`, an interval lies entirely below it (the effect, if any, is
  too small to matter);
- inconclusive: anything else (including a single seed where no interval can be formed).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from sphere.stats.bootstrap import paired_bootstrap
from sphere.stats.mcnemar import mcnemar_exact
from sphere.stats.paired import Effect, ols_slope, paired_seeds_folds

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"


@dataclass(frozen=True)
class Cell:
    """One method's LFW-protocol results, per seed: fold accuracies (%) and per-pair correctness under the
    released rule (fold thresholds), with the fold of every pair (the same pairs for every method)."""

    fold_accuracy: dict[int, np.ndarray]
    correct: dict[int, np.ndarray]
    folds: np.ndarray

    @property
    def seeds(self) -> list[int]:
        return sorted(self.fold_accuracy)

    def accuracy(self) -> dict[int, float]:
        return {s: float(np.mean(a)) for s, a in self.fold_accuracy.items()}


def paired_seeds(a: Cell, b: Cell) -> list[tuple[int, int]]:
    """Seed pairs of A and B: the same seed where both have it; a single-seed side pairs with every seed."""
    if len(a.seeds) == 1 or len(b.seeds) == 1:
        return [(sa, sb) for sa in a.seeds for sb in b.seeds]
    common = sorted(set(a.seeds) & set(b.seeds))
    if not common:
        raise ValueError(f"no common seed: {a.seeds} vs {b.seeds}")
    return [(s, s) for s in common]


def compare(a: Cell, b: Cell) -> Effect:
    """LFW accuracy of A minus B (points): McNemar on the pairs for two single models, else paired over
    seeds x folds (each seed's 10 fold accuracies)."""
    if len(a.seeds) == 1 and len(b.seeds) == 1:
        return mcnemar_exact(a.correct[a.seeds[0]], b.correct[b.seeds[0]])
    diff = np.array([a.fold_accuracy[sa] - b.fold_accuracy[sb] for sa, sb in paired_seeds(a, b)])
    effect = paired_seeds_folds(diff)
    if len(a.seeds) == 1 or len(b.seeds) == 1:  # the single model's own seed noise is not in the interval
        effect = dataclasses.replace(effect, test=effect.test + "; one side a single seed")
    return effect


def trend(cells: dict[float, Cell]) -> Effect:
    """Slope of LFW accuracy (points per unit m) on m: OLS over the (m, seed) cells when any m has several
    seeds; with one model per m, a paired bootstrap over the test pairs of the slope of the 4 accuracies."""
    xs = np.array(sorted(cells), np.float64)
    if all(len(cells[x].seeds) == 1 for x in xs):
        correct = np.column_stack([cells[x].correct[cells[x].seeds[0]] for x in xs])
        return paired_bootstrap(correct, lambda acc: float(np.polyfit(xs, acc, 1)[0]), cells[xs[0]].folds)
    points = [(x, acc) for x in xs for acc in cells[x].accuracy().values()]
    return ols_slope(*np.array(points).T)


def verdict(effects: list[Effect], sign: int, min_effect: float | None = None) -> str:
    """The rule of the module docstring; `sign` is the paper's direction, `min_effect` only for orderings."""
    lows = [e.low if sign > 0 else -e.high for e in effects]
    highs = [e.high if sign > 0 else -e.low for e in effects]
    if all(low > 0 for low in lows):
        return REPRODUCED
    if any(high < 0 for high in highs):
        return NOT_REPRODUCED
    if min_effect is not None and any(high < min_effect for high in highs if not math.isnan(high)):
        return NOT_REPRODUCED
    return INCONCLUSIVE


def weakest(effects: list[Effect], sign: int) -> Effect:
    """The comparison of an every-one-of claim closest to failing (smallest effect in the paper's direction),
    with p = the largest p (intersection-union test)."""
    worst = min(effects, key=lambda e: sign * e.estimate)
    return Effect(worst.estimate, worst.low, worst.high, max(e.p for e in effects), worst.test)
