"""One setting of the run config: a dataclass field whose metadata carries its description, bounds and
allowed values (standard library only: `sphere bench gpu` reads these without pyyaml or jsonschema).

`setting(...)` builds the field; `sphere.config.schema` turns the metadata into the JSON schema that
Snakemake and `sphere.config.validate` check a YAML file against, and `check_bounds` applies the same
bounds to a dataclass built in Python (the synthetic generators' settings).
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any


def setting(
    default: Any = dataclasses.MISSING,
    doc: str = "",
    *,
    factory: Any = dataclasses.MISSING,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    multiple_of: int | None = None,
    choices: tuple | None = None,
    pattern: str | None = None,
    each: dict | None = None,
    length: tuple[int | None, int | None] = (None, None),
    unique: bool = False,
    yaml: bool = True,
    like: type | None = None,
) -> Any:
    """A field with its one-line description `doc` and its constraints: bounds (ge >=, gt >, le <=, lt <),
    `choices`, a regex `pattern`, `each` (the constraints of every list item, same keys), `length`
    (min, max items), `unique` items; `yaml=False` keeps it out of the YAML (set by code, not by users);
    `like` a dataclass whose keys (without defaults) an override block takes."""
    if isinstance(default, (list, dict)):  # a mutable default: one fresh copy per instance
        default, factory = dataclasses.MISSING, (lambda value=default: type(value)(value))
    meta = {
        "doc": doc,
        "ge": ge,
        "gt": gt,
        "le": le,
        "lt": lt,
        "multiple_of": multiple_of,
        "choices": choices,
        "pattern": pattern,
        "each": each or {},
        "length": length,
        "unique": unique,
        "yaml": yaml,
        "like": like,
    }
    return dataclasses.field(default=default, default_factory=factory, metadata=meta)


def default_of(field: dataclasses.Field) -> Any:
    """The field's default value (MISSING when the key is required)."""
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def problems(name: str, value: Any, meta: dict) -> list[str]:
    """What is wrong with one value under the field's constraints (its bounds, choices, items), in words."""
    if value is None:
        return []
    found = []
    if meta.get("choices") is not None and value not in meta["choices"]:
        found.append(f"{name} must be one of {', '.join(map(str, meta['choices']))}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for key, word, bad in (
            ("ge", ">=", operator.lt),
            ("gt", ">", operator.le),
            ("le", "<=", operator.gt),
            ("lt", "<", operator.ge),
        ):
            if meta.get(key) is not None and bad(value, meta[key]):
                found.append(f"{name} must be {word} {meta[key]}")
        if meta.get("multiple_of") and value % meta["multiple_of"]:
            found.append(f"{name} must be a multiple of {meta['multiple_of']}")
    if isinstance(value, (list, tuple)):
        low, high = meta.get("length", (None, None))
        if low is not None and len(value) < low:
            found.append(f"{name} must have at least {low} items")
        if high is not None and len(value) > high:
            found.append(f"{name} must have at most {high} items")
        for i, item in enumerate(value):
            found += problems(f"{name}[{i}]", item, meta.get("each", {}))
    return found


def check_bounds(obj: Any) -> None:
    """Raise ValueError('<Class>: <field> must be ...') for the first field of a dataclass outside its bounds."""
    for field in dataclasses.fields(obj):
        found = problems(field.name, getattr(obj, field.name), dict(field.metadata))
        if found:
            raise ValueError(f"{type(obj).__name__}: {found[0]}")
