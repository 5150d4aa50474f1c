"""Loss heads, selected by name: `create_head("asoftmax", 512, 10572, m=4)`."""
from sphere.losses import (  # noqa: F401  (registration side effects)
    arcface,
    asoftmax,
    center,
    contrastive,
    cosface,
    lsoftmax,
    normface,
    softmax,
    sphereface_r,
    triplet,
)
from sphere.losses.base import Head, HeadOutput
from sphere.losses.registry import HEADS, create_head, head_params

__all__ = ["HEADS", "Head", "HeadOutput", "create_head", "head_params"]
