"""Triplet loss with online semi-hard negative mining (Schroff et al., FaceNet, CVPR 2015), a baseline
of docs/paper.md §1 (paper Tables 4-5). No classifier.

On L2-normalised features with squared Euclidean distances D: for every ordered anchor-positive pair
(a, p) of the batch, the negative is the closest one farther than the positive (semi-hard:
min D(a, n) over D(a, n) > D(a, p)); where no negative is farther, the farthest negative is used
(the rule of TensorFlow's triplet_semihard_loss). loss = mean over the pairs that have a negative of
max(0, D(a, p) - D(a, n) + margin). Default margin 0.2, FaceNet's alpha. A batch with no such pair
gives a zero loss still attached to the graph.
"""

from __future__ import annotations

import torch

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import margin_dtype, zero_loss
from sphere.losses.contrastive import pair_distances
from sphere.losses.ranges import NON_NEGATIVE
from sphere.losses.registry import register


@register(margin=NON_NEGATIVE)
class TripletHead(Head):
    """Semi-hard triplet loss; owns no parameters."""

    needs_pairs = True

    def __init__(self, feature_dim: int, num_classes: int, margin: float = 0.2) -> None:
        super().__init__(feature_dim, num_classes)
        if margin < 0:
            raise ValueError(f"triplet margin must be >= 0, got {margin!r}")
        self.margin = margin

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            d2 = pair_distances(features.to(margin_dtype(features)))
            same = labels[:, None] == labels[None, :]
            eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
            anchor, positive = (same & ~eye).nonzero(as_tuple=True)
            d_ap = d2[anchor, positive][:, None]  # M x 1
            d_an_all = d2[anchor]  # M x N
            negative = ~same[anchor]
            # squared distances of unit vectors lie in [0, 4]: 5 and -1 are out-of-range sentinels
            semi_hard = negative & (d_an_all > d_ap)
            closest_beyond = torch.where(semi_hard, d_an_all, 5.0).min(dim=1).values
            farthest = torch.where(negative, d_an_all, -1.0).max(dim=1).values
            d_an = torch.where(semi_hard.any(dim=1), closest_beyond, farthest)
            valid = negative.any(dim=1)
            hinge = torch.where(valid, (d_ap[:, 0] - d_an + self.margin).clamp_min(0), 0.0)
            loss = hinge.sum() / valid.sum().clamp_min(1) + zero_loss(features)
        return HeadOutput(loss, None)
