"""Loss heads, selected by name: `create_head("asoftmax", 512, 10572, m=4)`.

A head is one file, `sphere/losses/<name>.py`, holding one class marked `@register(<param>=<Range>, ...)`;
its parameters and defaults are its `__init__` signature (docs: sphere.losses.catalog). Importing the package
does not import torch: the heads load on first use of `HEADS`, `Head`, `HeadOutput`, `create_head` or
`head_params`, so the torch-free catalogue (`sphere.losses.catalog`) serves the config alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HEADS", "Head", "HeadOutput", "create_head", "head_params"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from sphere.losses import base, registry

    registry.load_heads()
    value = getattr(registry if hasattr(registry, name) else base, name)
    globals()[name] = value
    return value
