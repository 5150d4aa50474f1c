"""Verdicts on the paper's claims from paired effects (tables/claims.csv; README "Claims and verdicts").

Verdict rule, per claim with an expected sign (+1: the paper's effect is positive) and 95 % intervals:
- reproduced: the effect has the paper's sign and its interval excludes 0 (for a claim made of several
  comparisons, e.g. "ahead at every depth", every one of them: an intersection-union test, whose p is the
  largest one-sided p in the claimed direction; Berger 1982, Technometrics 24(4), Theorem 1);
- not reproduced: an interval excludes 0 with the opposite sign, or, for an ordering claim with a
  practically relevant effect `min_effect`, an interval lies entirely below it (the effect, if any, is
  too small to matter); that threshold is never larger than the paper's own effect (`practical_threshold`);
- inconclusive: anything else (including a single seed where no interval can be formed).

A comparison with one model on a side (one training seed) holds that model's own seed draw fixed: where other
methods of the run have seeds, their pooled seed variance is added to the interval (`compare`); where none
has, the test names the comparison as one with "this model", not its method.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sphere.stats.bootstrap import paired_bootstrap
from sphere.stats.mcnemar import mcnemar_exact
from sphere.stats.paired import Effect, ols_slope, paired_seeds_folds
from sphere.stats.seeds import SeedVariance, pooled_seed_variance

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


def seed_variance(cells: Iterable[Cell]) -> SeedVariance | None:
    """The seed variance of a model's LFW accuracy (points^2), pooled over the cells that have 2+ seeds."""
    return pooled_seed_variance([list(c.accuracy().values()) for c in cells])


def compare(a: Cell, b: Cell, seeds: SeedVariance | None = None) -> Effect:
    """LFW accuracy of A minus B (points): McNemar on the pairs for two single models (these two models, not
    their methods), else paired over seeds x folds (each seed's 10 fold accuracies). With one side a single
    model, its seed draw is the same in every paired row, so the row spread misses it: `seeds` (the pooled
    seed variance of the run's methods) is added to the variance of the mean difference, with its df."""
    if len(a.seeds) == 1 and len(b.seeds) == 1:
        effect = mcnemar_exact(a.correct[a.seeds[0]], b.correct[b.seeds[0]])
        return dataclasses.replace(effect, test=effect.test + "; these two models (one seed each), not the methods")
    diff = np.array([a.fold_accuracy[sa] - b.fold_accuracy[sb] for sa, sb in paired_seeds(a, b)])
    if len(a.seeds) > 1 and len(b.seeds) > 1:
        return paired_seeds_folds(diff)
    if seeds is None:
        effect = paired_seeds_folds(diff)
        note = "one side a single model: compares with this model, not its method (no seeds to estimate its variance)"
    else:
        effect = paired_seeds_folds(diff, extra_variance=seeds.variance, extra_df=seeds.df)
        note = (
            f"one side a single model: its seed variance added (sd {seeds.std:.2f} points, pooled over "
            f"{seeds.methods} methods with seeds, {seeds.df} df)"
        )
    return dataclasses.replace(effect, test=f"{effect.test}; {note}")


def trend(cells: dict[float, Cell]) -> Effect:
    """Slope of LFW accuracy (points per unit m) on m: OLS over the (m, seed) cells when any m has several
    seeds; with one model per m, a paired bootstrap over the test pairs of the slope of the 4 accuracies."""
    xs = np.array(sorted(cells), np.float64)
    if all(len(cells[x].seeds) == 1 for x in xs):
        correct = np.column_stack([cells[x].correct[cells[x].seeds[0]] for x in xs])
        return paired_bootstrap(correct, lambda acc: float(np.polyfit(xs, acc, 1)[0]), cells[xs[0]].folds)
    points = [(x, acc) for x in xs for acc in cells[x].accuracy().values()]
    return ols_slope(*np.array(points).T)


def practical_threshold(min_effect: float, paper_effect: float | None) -> float:
    """The practically relevant effect of an ordering claim: `min_effect`, but never more than the paper's own
    effect (a claim cannot be 'too small to matter' at a size the paper itself reports as its finding)."""
    if paper_effect is None or not paper_effect > 0:
        return min_effect
    return min(min_effect, paper_effect)


def verdict(effects: list[Effect], sign: int, min_effect: float | Sequence[float] | None = None) -> str:
    """The rule of the module docstring; `sign` is the paper's direction, `min_effect` only for orderings (one
    threshold, or one per effect)."""
    lows = [e.low if sign > 0 else -e.high for e in effects]
    highs = [e.high if sign > 0 else -e.low for e in effects]
    if all(low > 0 for low in lows):
        return REPRODUCED
    if any(high < 0 for high in highs):
        return NOT_REPRODUCED
    if min_effect is not None:
        thresholds = [min_effect] * len(effects) if isinstance(min_effect, (int, float)) else list(min_effect)
        if any(high < t for high, t in zip(highs, thresholds, strict=True) if not math.isnan(high)):
            return NOT_REPRODUCED
    return INCONCLUSIVE


def weakest(effects: list[Effect], sign: int) -> Effect:
    """The comparison of an every-one-of claim closest to failing (smallest effect in the paper's direction),
    with the intersection-union p: the largest one-sided p in the claimed direction (H0: some comparison is
    not in that direction is rejected at alpha only if every one-sided test rejects it at alpha)."""
    worst = min(effects, key=lambda e: sign * e.estimate)
    p = max(e.one_sided_p(sign) for e in effects)
    test = f"{worst.test}; p: the largest one-sided p of {len(effects)} (intersection-union)"
    return Effect(worst.estimate, worst.low, worst.high, p, test, math.nan, math.nan)
