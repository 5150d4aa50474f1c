"""The JSON schema of the run config, generated from the dataclasses of `sphere.config.sections`.

    python -m sphere.config.schema > workflow/schemas/config.schema.yaml

writes the file Snakemake and `sphere.config.validate` check a YAML config against; a test fails when the
committed file differs from `render()`. Types come from the annotations (`X | None`: the key may be left
out), bounds, choices and descriptions from each field's metadata (`sphere.config.fields.setting`).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Any

from sphere.config.fields import default_of
from sphere.config.sections import RunConfig
from sphere.config.settings import TrainConfig

COMMAND = "python -m sphere.config.schema > workflow/schemas/config.schema.yaml"
SCALARS = {bool: "boolean", int: "integer", float: "number", str: "string"}
KEYWORDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
}
DEFS: dict[type, str] = {TrainConfig: "train"}  # sections referenced from more than one place


def _plain(value: Any) -> Any:
    """A default as YAML/JSON data (tuples as lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _constrained(schema: dict, meta: dict) -> dict:
    """`schema` with the bounds, choices and item constraints of `meta` (a field's metadata, or `each`)."""
    if meta.get("choices") is not None:
        schema = {"enum": list(meta["choices"])}
    for key, word in KEYWORDS.items():
        if meta.get(key) is not None:
            schema[word] = meta[key]
    low, high = meta.get("length", (None, None))
    if schema.get("type") == "array":
        schema.update({k: v for k, v in (("minItems", low), ("maxItems", high)) if v is not None})
        if meta.get("unique"):
            schema["uniqueItems"] = True
    elif schema.get("type") == "object" and low is not None:
        schema["minProperties"] = low
    return schema


def _typed(hint: Any, meta: dict) -> dict:
    """The schema of one annotation under a field's constraints."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if len(args) == 1 or meta.get("choices") is not None:
            return _typed(args[0], meta)
        return {"oneOf": [_typed(a, meta) for a in args]}
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and dataclasses.is_dataclass(origin):
        return _reference(origin) if origin in DEFS else _section(origin)
    if origin in (list, tuple):
        return _constrained({"type": "array", "items": _typed(args[0], meta.get("each", {}))}, meta)
    if origin is dict:
        schema: dict[str, Any] = {"type": "object"}
        if meta.get("like") is not None:
            return _reference(meta["like"])
        if len(args) == 2:
            schema["additionalProperties"] = _typed(args[1], {})
        return _constrained(schema, meta)
    return _constrained({"type": SCALARS[origin]}, meta)


def _reference(cls: type) -> dict:
    return {"$ref": f"#/$defs/{DEFS[cls]}"}


def _section(cls: type) -> dict:
    """An object with one property per YAML field of the dataclass; fields without a default are required."""
    hints = typing.get_type_hints(cls)
    properties, required = {}, []
    for field in dataclasses.fields(cls):
        meta = dict(field.metadata)
        if not meta.get("yaml", True):
            continue
        schema = _typed(hints[field.name], meta)
        default = default_of(field)
        if default is dataclasses.MISSING:
            required.append(field.name)
        elif default is not None and not dataclasses.is_dataclass(default) and meta.get("like") is None:
            schema["default"] = _plain(default)
        if meta.get("doc"):  # the description before a section's properties, for reading
            nested = {k: schema.pop(k) for k in ("additionalProperties", "required", "properties") if k in schema}
            schema = {**schema, "description": meta["doc"], **nested}
        properties[field.name] = schema
    section = {"type": "object", "additionalProperties": False}
    return {**section, **({"required": required} if required else {}), "properties": properties}


def json_schema() -> dict:
    """The JSON schema (draft 2020-12) of a run config."""
    body = _section(RunConfig)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sphere run configuration",
        "description": RunConfig.__doc__,
        **body,
        "$defs": {name: _section(cls) for cls, name in DEFS.items()},
    }


def render() -> str:
    """The schema as the YAML text of workflow/schemas/config.schema.yaml."""
    import yaml  # only here: the dataclasses above need no pyyaml

    header = f"# Generated from sphere/config/sections.py: do not edit; regenerate with\n#   {COMMAND}\n"
    return header + yaml.safe_dump(json_schema(), sort_keys=False, width=120, allow_unicode=True)


if __name__ == "__main__":
    sys.stdout.write(render())
