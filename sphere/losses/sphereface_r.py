"""SphereFace-R (Liu et al., "SphereFace Revived", TPAMI 2022) with hard feature normalisation, docs/paper.md §1.

Target cosine psi(theta_y) = (-1)^k cos(m theta_y) - 2k with k = floor(m theta_y / pi),
theta_y = acos(cos_y) in [0, pi]: A-Softmax's psi extended to a non-integer m, continuous and decreasing
on [0, pi] (for m = 1.5: psi(0) = 1, psi(pi / m) = -1, psi(pi) = -2). OpenSphere calls this
multiplicative margin `magn_type='v0'`; it is the form its SphereFace head (s = 30, m = 1.5, the
defaults here) uses.

Characteristic gradient detachment: the logit is s (cos_y + (psi(theta_y) - cos_y).detach()), so the value is
s psi(theta_y) but the gradient is that of s cos_y: the margin shapes the loss without its steep, unstable
derivative. Non-target logits are s cos(theta_j).
"""

from __future__ import annotations

import math

import torch

from sphere.losses.normface import NormFaceHead
from sphere.losses.registry import register


def psi_r(cos_theta: torch.Tensor, m: float) -> torch.Tensor:
    """(-1)^k cos(m theta) - 2k, k = floor(m theta / pi), theta = acos(cos_theta) (cos clamped to [-1, 1])."""
    m_theta = m * torch.acos(cos_theta.clamp(-1, 1))
    k = torch.floor(m_theta / math.pi)
    sign = 1 - 2 * torch.remainder(k, 2)
    return sign * torch.cos(m_theta) - 2 * k


@register("sphereface_r")
class SphereFaceRHead(NormFaceHead):
    """Normalised features and weights, scale s, multiplicative margin m applied with detached difference."""

    def __init__(self, feature_dim: int, num_classes: int, s: float = 30.0, m: float = 1.5) -> None:
        super().__init__(feature_dim, num_classes, s)
        if m < 1:
            raise ValueError(f"SphereFace-R margin m must be >= 1, got {m!r}")
        self.m = m

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        return cos_y + (psi_r(cos_y.detach(), self.m) - cos_y.detach())
