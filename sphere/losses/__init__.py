"""Loss heads, selected by name: `create_head("asoftmax", 512, 10572, m=4)`.

Importing the package does not import torch: the heads (and their registration) load on first use of
`HEADS`, `Head`, `HeadOutput`, `create_head` or `head_params`, so the torch-free tables
`sphere.losses.params` and `sphere.losses.ranges` serve the config alone.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["HEADS", "Head", "HeadOutput", "create_head", "head_params"]
MODULES = (
    "arcface",
    "asoftmax",
    "center",
    "contrastive",
    "cosface",
    "lsoftmax",
    "normface",
    "softmax",
    "sphereface_r",
    "triplet",
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for module in MODULES:  # registration side effects
        importlib.import_module(f"{__name__}.{module}")
    from sphere.losses import base, registry

    value = getattr(registry if hasattr(registry, name) else base, name)
    globals()[name] = value
    return value
