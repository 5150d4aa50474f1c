"""Softmax + contrastive loss, joint identification-verification supervision in the style of DeepID2
(Sun et al., NIPS 2014), a baseline of docs/paper.md §1 (paper Tables 4-5).

loss = CE(W^T x + b) + loss_weight * (mean_pos d^2 + mean_neg max(0, margin - d)^2) / 2,
with d the Euclidean distance between L2-normalised features (in [0, 2]), over every unordered pair of
the batch: positives share an identity, negatives do not. Positive and negative pairs are averaged
separately, so the many negatives of a P x K batch do not drown the few positives.

Defaults: margin = 1.0 (the negative margin of pytorch-metric-learning's ContrastiveLoss on normalised
features: negatives pushed past 60 degrees); loss_weight = 1.0, a harness choice: the paper chose the
auxiliary weights by cross-validation and does not publish them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import linear_classifier, margin_dtype
from sphere.losses.ranges import NON_NEGATIVE, POSITIVE
from sphere.losses.registry import register


def pair_distances(x: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between the L2-normalised rows of x (N x N), 2 - 2 cos."""
    z = F.normalize(x, dim=1)
    return (2 - 2 * z @ z.t()).clamp_min(0)


@register(loss_weight=NON_NEGATIVE, margin=POSITIVE)
class ContrastiveHead(Head):
    """A free linear classifier with bias plus a contrastive term on all pairs of the batch."""

    needs_pairs = True

    def __init__(self, feature_dim: int, num_classes: int, loss_weight: float = 1.0, margin: float = 1.0) -> None:
        super().__init__(feature_dim, num_classes)
        if loss_weight < 0 or margin <= 0:
            raise ValueError(f"need loss_weight >= 0 and margin > 0, got {loss_weight!r}, {margin!r}")
        self.loss_weight = loss_weight
        self.margin = margin
        self.fc = linear_classifier(feature_dim, num_classes)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            x = features.to(dtype)
            logits = F.linear(x, self.fc.weight.to(dtype), self.fc.bias.to(dtype))
            d2 = pair_distances(x)
            upper = torch.ones_like(d2, dtype=torch.bool).triu(1)
            same = labels[:, None] == labels[None, :]
            pos, neg = (same & upper).to(dtype), (~same & upper).to(dtype)
            # clamp: sqrt has an infinite derivative at 0 (identical features)
            hinge = (self.margin - d2.clamp_min(1e-12).sqrt()).clamp_min(0).pow(2)
            # masked means without a host sync; an empty set contributes 0
            pos_term = (d2 * pos).sum() / pos.sum().clamp_min(1)
            neg_term = (hinge * neg).sum() / neg.sum().clamp_min(1)
            pair_term = 0.5 * (pos_term + neg_term)
            loss = F.cross_entropy(logits, labels) + self.loss_weight * pair_term
        return HeadOutput(loss, logits)
