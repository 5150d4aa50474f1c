"""The ranges each head declares: create_head refuses values outside them and accepts their boundaries, the
heads' own checks refuse the same values, and `Range` describes and matches values as messages say."""

import math

import pytest

from sphere.losses import HEADS, create_head
from sphere.losses.ranges import Range

# (head, parameter, a refused value, an accepted boundary value)
EDGES = [
    ("asoftmax", "m", 6, 1),
    ("lsoftmax", "m", 0, 5),
    ("lsoftmax", "m", 2.0, 2),
    ("asoftmax", "gamma", -0.1, 0.0),
    ("center", "loss_weight", -1e-3, 0.0),
    ("center", "center_lr", -1, 0),
    ("contrastive", "margin", 0.0, 1e-6),
    ("contrastive", "loss_weight", -1, 0),
    ("triplet", "margin", -0.01, 0.0),
    ("normface", "s", 0.0, 1e-3),
    ("cosface", "m", -0.1, 0.0),
    ("cosface", "s", -1, 1),
    ("arcface", "m", math.pi, 0.0),
    ("arcface", "m", -0.1, 3.1),
    ("sphereface_r", "m", 0.99, 1.0),
    ("sphereface_r", "s", 0, 2),
    ("normface", "s", math.inf, 64),
    ("triplet", "margin", math.nan, 0.2),
]
# refused by the declared range (so by create_head and check-config) but not by the head's own constructor
TABLE_ONLY = {("cosface", "m"), ("asoftmax", "gamma")}


@pytest.mark.parametrize("name,param,bad,good", EDGES)
def test_create_head_refuses_outside_and_accepts_the_boundary(name, param, bad, good):
    with pytest.raises(ValueError, match=rf"{param}: {bad!r} is not allowed; {name} [a-z ]+ {param} takes"):
        create_head(name, 8, 4, **{param: bad})
    create_head(name, 8, 4, **{param: good})


@pytest.mark.parametrize(
    "name,param,bad,good",
    [e for e in EDGES if (e[0], e[1]) not in TABLE_ONLY and not (isinstance(e[2], float) and not math.isfinite(e[2]))],
)
def test_the_heads_own_checks_agree(name, param, bad, good):
    with pytest.raises((ValueError, TypeError)):
        HEADS[name](8, 4, **{param: bad})


def test_range_words():
    assert Range(low=0, high=math.pi, high_open=True).describe() == "a number >= 0 and < 3.14159"
    assert Range(choices=(1, 2)).describe() == "one of 1, 2"
    assert not Range(low=0).accepts(True) and not Range(low=0).accepts("1") and Range(low=0).accepts(2)
    assert Range(choices=("v0", "v2")).accepts("v2") and not Range(choices=("v0", "v2")).accepts("v1")
    assert Range(choices=(False, True)).accepts(False) and not Range(choices=(False, True)).accepts(0)
    assert not Range(choices=(1, 2)).accepts(True) and not Range(choices=(1, 2)).accepts(2.0)
