"""One registry of loss heads: name -> head class (timm's `create_model` shape)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

from sphere.losses.base import Head
from sphere.losses.params import LOSSES

HEADS: dict[str, type[Head]] = {}
H = TypeVar("H", bound=type[Head])


def register(name: str) -> Callable[[H], H]:
    def add(cls: H) -> H:
        if name in HEADS:
            raise ValueError(f"loss head {name!r} registered twice")
        spec, params = LOSSES.get(name), _signature(cls)
        if spec is None or list(spec.params) != params or spec.needs_pairs != cls.needs_pairs:
            raise ValueError(
                f"loss head {name!r} ({params}, needs_pairs={cls.needs_pairs}) disagrees with "
                f"sphere.losses.params.LOSSES ({spec})"
            )
        HEADS[name] = cls
        return cls

    return add


def _signature(cls: type[Head]) -> list[str]:
    signature = inspect.signature(cls.__init__)
    return [p for p in signature.parameters if p not in ("self", "feature_dim", "num_classes")]


def head_params(name: str) -> list[str]:
    """Names of the keyword parameters a head accepts beyond feature_dim and num_classes."""
    return _signature(HEADS[name])


def create_head(name: str, feature_dim: int, num_classes: int, **params: object) -> Head:
    """Build a head by name; an unknown name or parameter fails listing the valid ones."""
    if name not in HEADS:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(sorted(HEADS))}")
    unknown = sorted(set(params) - set(head_params(name)))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for loss {name!r}; "
            f"valid parameters: {', '.join(head_params(name)) or 'none'}"
        )
    from sphere.losses.ranges import param_errors

    if errors := param_errors(name, params):
        raise ValueError("; ".join(f"{key}: {message}" for key, message in errors))
    return HEADS[name](feature_dim, num_classes, **params)
