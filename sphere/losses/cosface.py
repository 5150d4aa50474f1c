"""CosFace / AM-Softmax (Wang et al., CVPR 2018): additive cosine margin, docs/paper.md §1."""

from __future__ import annotations

import torch

from sphere.losses.normface import NormFaceHead
from sphere.losses.ranges import BOOLEAN, NON_NEGATIVE, POSITIVE
from sphere.losses.registry import register


@register(s=POSITIVE, m=NON_NEGATIVE, renormalise=BOOLEAN)
class CosFaceHead(NormFaceHead):
    """Target logit s (cos(theta_y) - m); defaults s = 64, m = 0.35 (CosFace paper, Sec. 4).

    `renormalise`: in-place unit class weights, as OpenSphere's CosFace (see NormFaceHead); off by default.
    """

    def __init__(
        self, feature_dim: int, num_classes: int, s: float = 64.0, m: float = 0.35, renormalise: bool = False
    ) -> None:
        super().__init__(feature_dim, num_classes, s, renormalise)
        self.m = m

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        return cos_y - self.m
