"""Original softmax: a free linear classifier with bias (PAPER.md §1)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.registry import register


@register("softmax")
class SoftmaxHead(Head):
    """Logits W_j^T x + b_j, cross-entropy."""

    def __init__(self, feature_dim: int, num_classes: int) -> None:
        super().__init__(feature_dim, num_classes)
        self.fc = nn.Linear(feature_dim, num_classes)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        logits = self.fc(features.float())
        return HeadOutput(F.cross_entropy(logits, labels), logits)
