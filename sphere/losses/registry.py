"""One registry of loss heads: name -> head class (timm's `create_model` shape).

The names come from the torch-free catalogue (`sphere.losses.catalog`: one file per head, the file name is
the loss name); `load_heads` imports each file once and keeps the class its `@register` marks, after checking
that the class agrees with what the catalogue read from its source.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from sphere.losses.base import Head
from sphere.losses.catalog import LossSpec, catalog, param_errors
from sphere.losses.ranges import Range

HEADS: dict[str, type[Head]] = {}
H = TypeVar("H", bound=type[Head])
MARK = "_declared_ranges"  # set by @register on the class it decorates (not inherited by its subclasses' check)


def register(**ranges: Range) -> Callable[[H], H]:
    """Mark the head class of a file; keyword arguments are its parameters' accepted ranges."""

    def mark(cls: H) -> H:
        setattr(cls, MARK, dict(ranges))
        return cls

    return mark


def load_heads() -> dict[str, type[Head]]:
    """HEADS, filled from the catalogue (heads imported on first use, files added since picked up)."""
    found = catalog()
    for name in set(HEADS) - set(found):
        del HEADS[name]
    for name in sorted(set(found) - set(HEADS)):
        module = importlib.import_module(f"{__package__}.{name}")
        classes = [v for v in vars(module).values() if isinstance(v, type) and MARK in v.__dict__]
        classes = [c for c in classes if c.__module__ == module.__name__]
        if len(classes) != 1:
            raise ValueError(f"{module.__file__}: expected one @register head class, found {len(classes)}")
        check_agrees(found[name], classes[0])
        HEADS[name] = classes[0]
    return HEADS


def check_agrees(spec: LossSpec, cls: type[Head]) -> None:
    """Refuse a class whose signature, defaults, ranges or needs_pairs differ from its catalogue entry."""
    signature = _defaults(cls)
    ranges = cls.__dict__.get(MARK)
    if (
        cls.__name__ != spec.class_name
        or list(signature) != spec.params
        or any(not _same(signature[k], spec.defaults[k]) for k in signature)
        or ranges != spec.ranges
        or cls.needs_pairs != spec.needs_pairs
    ):
        raise ValueError(
            f"loss head {spec.name!r} ({cls.__name__}{signature}, ranges {ranges}, needs_pairs={cls.needs_pairs}) "
            f"disagrees with what sphere.losses.catalog read from its file ({spec})"
        )


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _defaults(cls: type[Head]) -> dict[str, Any]:
    parameters = inspect.signature(cls.__init__).parameters
    return {k: p.default for k, p in parameters.items() if k not in ("self", "feature_dim", "num_classes")}


def head_params(name: str) -> list[str]:
    """Names of the keyword parameters a head accepts beyond feature_dim and num_classes."""
    return list(_defaults(load_heads()[name]))


def create_head(name: str, feature_dim: int, num_classes: int, **params: object) -> Head:
    """Build a head by name; an unknown name or parameter fails listing the valid ones."""
    heads = load_heads()
    if name not in heads:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(sorted(heads))}")
    unknown = sorted(set(params) - set(head_params(name)))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for loss {name!r}; "
            f"valid parameters: {', '.join(head_params(name)) or 'none'}"
        )
    if errors := param_errors(name, params):
        raise ValueError("; ".join(f"{key}: {message}" for key, message in errors))
    return heads[name](feature_dim, num_classes, **params)
