"""Pieces shared by the loss heads: precision of the margin math and cosine logits (docs/paper.md §1)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sphere.models.init import xavier_


def margin_dtype(features: torch.Tensor) -> torch.dtype:
    """Precision of the margin math: float32 under any autocast (bf16/fp16 inputs are upcast),
    float64 kept for float64 inputs so that gradients can be checked numerically."""
    return torch.float64 if features.dtype == torch.float64 else torch.float32


def linear_classifier(feature_dim: int, num_classes: int) -> nn.Linear:
    """The original softmax's free classifier W_j^T x + b_j: `xavier` weights, zero bias (docs/paper.md §1,
    paper Eq. 3)."""
    fc = nn.Linear(feature_dim, num_classes)
    xavier_(fc.weight)
    nn.init.zeros_(fc.bias)
    return fc


def cosine(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """cos(theta_j) between every feature (row of x) and every class weight (row of weight)."""
    return (F.normalize(x, dim=1) @ F.normalize(weight, dim=1).t()).clamp(-1, 1)


def replace_target(logits: torch.Tensor, labels: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """`logits` with column labels[i] of row i replaced by target[i] (target: N x 1)."""
    return logits.scatter(1, labels[:, None], target)


def zero_loss(features: torch.Tensor) -> torch.Tensor:
    """A zero that stays attached to the graph, for batches with nothing to learn from."""
    return features.sum() * 0.0
