"""sphere/cli/common.py: the library defaults the parser reads from source text agree with the imported library."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

from sphere.cli import common, parser


def imported_default(target: str, name: str):
    module, qualname = target.split(":")
    obj = getattr(importlib.import_module(module), qualname)
    if not name:  # a module-level constant
        return obj
    if dataclasses.is_dataclass(obj):
        return {f.name: f.default for f in dataclasses.fields(obj)}[name]
    return inspect.signature(obj).parameters[name].default


def test_every_default_the_parser_reads_is_the_imported_one():
    parser()
    assert len(common.LOOKED_UP) > 20
    for target, name in sorted(common.LOOKED_UP):
        read = common.constant(target) if not name else common.default(target, name)
        assert read == imported_default(target, name), (target, name)


def test_names_and_missing_defaults():
    assert common.default("sphere.protocols.ytf:video_features", "cap") == 100  # through DEFAULT_CAP
    with pytest.raises(LookupError, match="no parameter"):
        common.default("sphere.protocols.ytf:video_features", "features")
    with pytest.raises(LookupError, match="not a top-level"):
        common.default("sphere.protocols.ytf:nothing_here", "cap")
