"""ArcFace (Deng et al., CVPR 2019): additive angular margin, docs/paper.md §1."""

from __future__ import annotations

import math

import torch

from sphere.losses.normface import NormFaceHead
from sphere.losses.registry import register


@register("arcface")
class ArcFaceHead(NormFaceHead):
    """Target logit s cos(theta_y + m); defaults s = 64, m = 0.5 (ArcFace paper).

    cos(theta + m) = cos(theta) cos(m) - sin(theta) sin(m) with sin(theta) = sqrt(1 - cos^2).
    Past theta + m > pi, cos(theta + m) would increase again with theta, so where theta > pi - m
    (cos(theta) < cos(pi - m)) the target is cos(theta) - m sin(m) instead: the fallback of
    insightface's ArcFace with easy_margin=False (there written `cosine - sin(pi - m) * m`, and
    sin(pi - m) = sin(m)). It keeps the target decreasing but is not continuous at theta = pi - m.
    """

    def __init__(self, feature_dim: int, num_classes: int, s: float = 64.0, m: float = 0.5) -> None:
        super().__init__(feature_dim, num_classes, s)
        if not 0 <= m < math.pi:
            raise ValueError(f"ArcFace margin m must be in [0, pi), got {m!r}")
        self.m = m

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        # clamp keeps the gradient of sqrt finite where cos_y = +-1
        sin_y = (1 - cos_y * cos_y).clamp_min(1e-12).sqrt()
        cos_plus_m = cos_y * math.cos(self.m) - sin_y * math.sin(self.m)
        fallback = cos_y - self.m * math.sin(self.m)
        return torch.where(cos_y > math.cos(math.pi - self.m), cos_plus_m, fallback)
