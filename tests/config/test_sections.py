"""The typed config's helpers: a method's head parameter as its training uses it."""

from sphere.config.sections import MethodConfig
from sphere.losses.catalog import loss_defaults


def test_a_head_parameter_is_the_configs_else_the_heads_default():
    assert MethodConfig(loss="asoftmax", params={"m": 2}).param("m") == 2
    assert MethodConfig(loss="asoftmax").param("m") == loss_defaults("asoftmax")["m"] == 4
    assert MethodConfig(loss="softmax").param("m") is None  # no such parameter
