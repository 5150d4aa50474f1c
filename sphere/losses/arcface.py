"""ArcFace (Deng et al., CVPR 2019): additive angular margin, docs/paper.md §1; peer variants in docs/fidelity.md."""

from __future__ import annotations

import math

import torch

from sphere.losses.normface import NormFaceHead
from sphere.losses.ranges import BOOLEAN, POSITIVE, Range
from sphere.losses.registry import register

GRADIENTS = ("exact", "detached")
PAST_PI = ("fallback", "periodic", "clamp")


@register(
    s=POSITIVE,
    m=Range(low=0, high=math.pi, high_open=True),
    gradient=Range(choices=GRADIENTS),
    past_pi=Range(choices=PAST_PI),
    renormalise=BOOLEAN,
)
class ArcFaceHead(NormFaceHead):
    """Target logit s cos(theta_y + m); defaults s = 64, m = 0.5 (ArcFace paper).

    cos(theta + m) = cos(theta) cos(m) - sin(theta) sin(m) with sin(theta) = sqrt(1 - cos^2). Past
    theta + m > pi the angle leaves [0, pi]; `past_pi` says what the target is there:
    - "fallback" (default): cos(theta) - m sin(m), insightface's ArcFace with easy_margin=False before
      December 2022 (there written `cosine - sin(pi - m) * m`); decreasing, not continuous at theta = pi - m;
    - "periodic": cos(theta + m) as it is, which rises again towards cos(m) at theta = pi: insightface's
      arcface_torch CombinedMarginLoss since December 2022 (commit 337990a), which takes arccos, adds m, takes cos;
    - "clamp": theta + m capped at pi, so the target is -1 there: OpenSphere's ArcFace (model/head/arcface.py,
      which clamps the angle to 3.14159).
    `gradient` = "exact" (default) back-propagates through the margin; "detached" gives the target the value
    above but the gradient of s cos(theta_y), as insightface since December 2022 and OpenSphere do (they
    compute the margin under torch.no_grad()).
    """

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        s: float = 64.0,
        m: float = 0.5,
        gradient: str = "exact",
        past_pi: str = "fallback",
        renormalise: bool = False,
    ) -> None:
        super().__init__(feature_dim, num_classes, s, renormalise)
        if not 0 <= m < math.pi:
            raise ValueError(f"ArcFace margin m must be in [0, pi), got {m!r}")
        if gradient not in GRADIENTS or past_pi not in PAST_PI:
            raise ValueError(f"gradient must be one of {GRADIENTS} and past_pi one of {PAST_PI}")
        self.m, self.gradient, self.past_pi = m, gradient, past_pi

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        if self.gradient == "detached":
            plain = cos_y.detach()
            return cos_y + (self.angular_target(plain) - plain)
        return self.angular_target(cos_y)

    def angular_target(self, cos_y: torch.Tensor) -> torch.Tensor:
        """cos(theta_y + m) with the `past_pi` rule where theta_y > pi - m."""
        # clamp keeps the gradient of sqrt finite where cos_y = +-1
        sin_y = (1 - cos_y * cos_y).clamp_min(1e-12).sqrt()
        cos_plus_m = cos_y * math.cos(self.m) - sin_y * math.sin(self.m)
        if self.past_pi == "periodic":
            return cos_plus_m
        beyond = cos_y - self.m * math.sin(self.m) if self.past_pi == "fallback" else torch.full_like(cos_y, -1.0)
        return torch.where(cos_y > math.cos(math.pi - self.m), cos_plus_m, beyond)
