"""A setting's constraints, applied in Python (`check_bounds`) as the schema applies them to YAML."""

from dataclasses import dataclass

import pytest

from sphere.config.fields import check_bounds, problems, setting


def test_problems_name_the_value_and_the_bound():
    assert problems("x", 0, {"ge": 0.5}) == ["x must be >= 0.5"]  # an int against a float bound
    assert problems("x", 2.0, {"lt": 2}) == ["x must be < 2"]
    assert problems("x", 3, {"multiple_of": 2}) == ["x must be a multiple of 2"]
    assert problems("x", "fp16", {"choices": ("auto", "bf16")}) == ["x must be one of auto, bf16"]
    assert problems("x", [1, 0], {"each": {"ge": 1}, "length": (3, None)}) == [
        "x must have at least 3 items",
        "x[1] must be >= 1",
    ]
    assert problems("x", None, {"ge": 1}) == []  # absent


def test_check_bounds_and_fresh_mutable_defaults():
    @dataclass
    class Section:
        n: int = setting(2, "a count", ge=2)
        items: list[int] = setting([1, 2], "some items")

    check_bounds(Section())
    with pytest.raises(ValueError, match="Section: n must be >= 2"):
        check_bounds(Section(n=1))
    first, second = Section(), Section()
    first.items.append(3)
    assert second.items == [1, 2]
