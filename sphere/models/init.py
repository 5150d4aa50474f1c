"""Weight fillers of the released recipe (docs/fidelity.md, "Initialisation").

The released prototxt (wy1iu/sphereface, train/code/sphereface_model.prototxt) fills the stride-2 convs,
FC1 and the classifier with Caffe's `xavier`: uniform in +-sqrt(3 / fan_in), fan_in = in_channels x kh x kw
(the blob's count over its first dimension). PyTorch's `xavier_uniform_` is uniform in
+-sqrt(6 / (fan_in + fan_out)), a different distribution. The scheme is chosen per run (`train.init`);
`init_scheme` makes it the one every `xavier_` call inside the block uses, so that the models and the loss
heads, which own their weights, need no extra argument.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator

import torch
from torch import nn

INIT_SCHEMES = ("caffe", "pytorch")
_scheme: contextvars.ContextVar[str] = contextvars.ContextVar("init_scheme", default="caffe")


def caffe_xavier_(tensor: torch.Tensor) -> torch.Tensor:
    """Caffe's XavierFiller with its default FAN_IN norm: U(-a, a), a = sqrt(3 / fan_in)."""
    fan_in = tensor[0].numel()
    bound = math.sqrt(3.0 / fan_in)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def xavier_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill with the `xavier` filler of the scheme in force (Caffe's unless `init_scheme` says otherwise)."""
    return caffe_xavier_(tensor) if _scheme.get() == "caffe" else nn.init.xavier_uniform_(tensor)


@contextlib.contextmanager
def init_scheme(name: str) -> Iterator[None]:
    """Make `name` ("caffe" or "pytorch") the scheme of every `xavier_` call inside the block."""
    if name not in INIT_SCHEMES:
        raise ValueError(f"init must be one of {', '.join(INIT_SCHEMES)}, got {name!r}")
    token = _scheme.set(name)
    try:
        yield
    finally:
        _scheme.reset(token)
