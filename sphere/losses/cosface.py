"""CosFace / AM-Softmax (Wang et al., CVPR 2018): additive cosine margin, docs/paper.md §1."""

from __future__ import annotations

import torch

from sphere.losses.normface import NormFaceHead
from sphere.losses.registry import register


@register("cosface")
class CosFaceHead(NormFaceHead):
    """Target logit s (cos(theta_y) - m); defaults s = 64, m = 0.35 (CosFace paper, Sec. 4)."""

    def __init__(self, feature_dim: int, num_classes: int, s: float = 64.0, m: float = 0.35) -> None:
        super().__init__(feature_dim, num_classes, s)
        self.m = m

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        return cos_y - self.m
