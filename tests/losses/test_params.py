"""The torch-free loss table (names, parameters, P x K batches) agrees with the torch registry, and the
registry refuses a head that disagrees with it."""

import pytest

from sphere.losses import HEADS, head_params
from sphere.losses.base import Head
from sphere.losses.params import LOSSES, loss_params
from sphere.losses.ranges import PARAM_RANGES
from sphere.losses.registry import register


def test_table_and_registry_agree():
    assert set(LOSSES) == set(HEADS) == set(PARAM_RANGES)
    for name, head in HEADS.items():
        assert loss_params(name) == head_params(name), name
        assert LOSSES[name].needs_pairs == head.needs_pairs, name
        assert set(PARAM_RANGES[name]) <= set(loss_params(name)), name


def test_registry_refuses_a_head_the_table_does_not_describe():
    class Odd(Head):
        def __init__(self, feature_dim: int, num_classes: int, s: float = 1.0, extra: int = 0) -> None:
            super().__init__(feature_dim, num_classes)

    with pytest.raises(ValueError, match="disagrees with sphere.losses.params.LOSSES"):
        register("normface_extra")(Odd)
    with pytest.raises(ValueError, match="disagrees"):
        register("not_in_table")(Odd)
    assert "normface_extra" not in HEADS and "not_in_table" not in HEADS
