"""Stand-ins for pyyaml and tqdm, which the GPU image may lack; installed only where they are absent."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import types


class _NoBar:
    """The part of tqdm's interface sphere uses, doing nothing."""

    def __init__(self, iterable=None, *args, **kwargs) -> None:
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable or ())

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None

    def set_postfix(self, *args, **kwargs) -> None:
        return None

    def close(self) -> None:
        return None


def _yaml_stub() -> types.ModuleType:
    """JSON is YAML: enough for the `train.yaml` record that training writes."""
    module = types.ModuleType("yaml")

    def safe_dump(data, stream=None, sort_keys: bool = True, **kwargs) -> str | None:
        text = json.dumps(data, indent=2, sort_keys=sort_keys, default=str) + "\n"
        if stream is None:
            return text
        stream.write(text)
        return None

    def safe_load(stream):
        return json.loads(stream if isinstance(stream, str) else stream.read())

    module.__dict__.update(safe_dump=safe_dump, safe_load=safe_load, YAMLError=ValueError)
    return module


def _tqdm_stub() -> types.ModuleType:
    module = types.ModuleType("tqdm")
    module.__dict__["tqdm"] = _NoBar
    return module


def install_fallbacks() -> list[str]:
    """Put stand-ins in `sys.modules` for pyyaml / tqdm when they cannot be imported; names those replaced."""
    replaced = []
    for name, stub in (("yaml", _yaml_stub), ("tqdm", _tqdm_stub)):
        try:
            __import__(name)
        except ImportError:
            module = stub()
            module.__spec__ = importlib.machinery.ModuleSpec(name, None)  # find_spec() callers expect one
            sys.modules[name] = module
            replaced.append(name)
    return replaced
