"""Parameter ranges a loss head declares in its `@register(...)` decorator, torch-free.

A head writes `@register(s=POSITIVE, m=Range(low=0, high=math.pi, high_open=True))`; the catalogue
(`sphere.losses.catalog`) reads those keyword expressions from the source without importing the head,
evaluating them with `Range`, `math` and the shared constants below, so `create_head` and config validation
(`sphere check-config`, the Snakefile's start) refuse the same values, naming the key and the allowed values.

Ranges follow the papers: A-Softmax / L-Softmax m in {1, ..., 5} (docs/paper.md §1, paper Sec. 3: the
multiple-angle formulas implemented), additive margins and scales positive or zero as their papers define them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """A finite number between `low` and `high` (either may be open or absent), or one of `choices` (numbers,
    strings or booleans, matched with their type: 2.0 is not the choice 2, True is not 1)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    choices: tuple = ()

    def describe(self) -> str:
        """The allowed values in words, for messages."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        kind = "an integer" if self.integer else "a number"
        low = "" if self.low is None else f"{'>' if self.low_open else '>='} {self.low:g}"
        high = "" if self.high is None else f"{'<' if self.high_open else '<='} {self.high:g}"
        return " ".join([kind, *filter(None, [low, "and" if low and high else "", high])])

    def accepts(self, value: object) -> bool:
        if self.choices:
            return any(type(value) is type(choice) and value == choice for choice in self.choices)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not math.isfinite(value) or (self.integer and not isinstance(value, int)):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)


NON_NEGATIVE = Range(low=0)
POSITIVE = Range(low=0, low_open=True)
BOOLEAN = Range(choices=(False, True))
ANNEALING = {"base": NON_NEGATIVE, "gamma": NON_NEGATIVE, "power": NON_NEGATIVE, "lambda_min": NON_NEGATIVE}
ANGULAR_M = Range(choices=(1, 2, 3, 4, 5))

# what each parameter is, for messages ("asoftmax margin m takes one of 1, 2, 3, 4, 5")
MEANING = {
    "m": "margin",
    "margin": "margin",
    "s": "scale",
    "r": "scale",
    "loss_weight": "loss weight",
    "lw": "loss weight",
    "center_lr": "centre learning rate",
    "base": "annealing",
    "gamma": "annealing",
    "power": "annealing",
    "lambda_min": "annealing",
    "margin_type": "margin type",
}


def names() -> dict[str, object]:
    """What a decorator's keyword expressions may use: `Range`, `math` and the constants above."""
    shared = {k: v for k, v in globals().items() if k.isupper() and isinstance(v, (Range, dict)) and k != "MEANING"}
    return {"Range": Range, "math": math, **shared}
