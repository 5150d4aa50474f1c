"""Original softmax: a free linear classifier with bias (docs/paper.md §1, paper Eq. 3)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import linear_classifier
from sphere.losses.registry import register


@register()
class SoftmaxHead(Head):
    """Logits W_j^T x + b_j, cross-entropy."""

    def __init__(self, feature_dim: int, num_classes: int) -> None:
        super().__init__(feature_dim, num_classes)
        self.fc = linear_classifier(feature_dim, num_classes)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        logits = self.fc(features.float())
        return HeadOutput(F.cross_entropy(logits, labels), logits)
