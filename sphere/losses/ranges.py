"""The accepted range of every loss-head parameter, in one torch-free table used by `create_head` (the only
way a head is built) and by config validation (`sphere check-config`, the Snakefile's start), so a value a
training job would reject stops the run before any job starts, naming the key and the allowed values.

Ranges follow the papers: A-Softmax / L-Softmax m in {1, ..., 5} (docs/paper.md §1, paper Sec. 3: the multiple-angle
formulas implemented), ArcFace m in [0, pi) (cos(theta + m) must stay decreasing on [0, pi - m]),
SphereFace-R m >= 1, additive margins and scales positive or zero as their papers define them.
A test checks that each head's own constructor agrees where it checks too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """A finite number between `low` and `high` (either may be open or absent), or one of `choices`."""

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
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.choices:
            return isinstance(value, int) and value in self.choices
        if not math.isfinite(value) or (self.integer and not isinstance(value, int)):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)


NON_NEGATIVE = Range(low=0)
POSITIVE = Range(low=0, low_open=True)
ANNEALING = {"base": NON_NEGATIVE, "gamma": NON_NEGATIVE, "power": NON_NEGATIVE, "lambda_min": NON_NEGATIVE}
ANGULAR_M = Range(choices=(1, 2, 3, 4, 5))

PARAM_RANGES: dict[str, dict[str, Range]] = {
    "softmax": {},
    "asoftmax": {"m": ANGULAR_M, **ANNEALING},
    "lsoftmax": {"m": ANGULAR_M, **ANNEALING},
    "center": {"loss_weight": NON_NEGATIVE, "center_lr": NON_NEGATIVE},
    "contrastive": {"loss_weight": NON_NEGATIVE, "margin": POSITIVE},
    "triplet": {"margin": NON_NEGATIVE},
    "normface": {"s": POSITIVE},
    "cosface": {"s": POSITIVE, "m": NON_NEGATIVE},
    "arcface": {"s": POSITIVE, "m": Range(low=0, high=math.pi, high_open=True)},
    "sphereface_r": {"s": POSITIVE, "m": Range(low=1)},
}


# what each parameter is, for messages ("asoftmax margin m takes one of 1, 2, 3, 4, 5")
MEANING = {
    "m": "margin",
    "margin": "margin",
    "s": "scale",
    "loss_weight": "loss weight",
    "center_lr": "centre learning rate",
    "base": "annealing",
    "gamma": "annealing",
    "power": "annealing",
    "lambda_min": "annealing",
}


def param_errors(loss: str, params: dict) -> list[tuple[str, str]]:
    """(parameter, message) for every parameter outside its head's accepted range."""
    ranges = PARAM_RANGES.get(loss, {})
    return [
        (
            name,
            f"{value!r} is not allowed; {loss} {MEANING.get(name, 'parameter')} {name} takes {ranges[name].describe()}",
        )
        for name, value in params.items()
        if name in ranges and not ranges[name].accepts(value)
    ]
