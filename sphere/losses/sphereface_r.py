"""SphereFace-R (Liu et al., "SphereFace Revived", TPAMI 2022) with hard feature normalisation, docs/paper.md §1.

Target cosine psi(theta_y) = (-1)^k cos(m theta_y) - 2k with k = floor(m theta_y / pi),
theta_y = acos(cos_y) in [0, pi]: A-Softmax's psi extended to a non-integer m, continuous and decreasing
on [0, pi] (for m = 1.5: psi(0) = 1, psi(pi / m) = -1, psi(pi) = -2). OpenSphere calls this
multiplicative margin `magn_type='v0'`; it is the form its SphereFace head (s = 30, m = 1.5, the
defaults here) uses.

Characteristic gradient detachment: the logit is s (cos_y + (psi(theta_y) - cos_y).detach()), so the value is
s psi(theta_y) but the gradient is that of s cos_y: the margin shapes the loss without its steep, unstable
derivative. Non-target logits are s cos(theta_j).

OpenSphere trains SphereFace-R with `SphereFaceR_H` (model/head/spherefacer.py), which adds two options:
- `margin_type` (its `magn_type`): "v0" the psi above (default); "v1" cos(min(m theta_y, pi)); "v2" leaves the
  target at cos(theta_y) and raises every other class to cos(theta_j / m), all margins detached as above;
- `lw` (its loss weight): the loss becomes lw * CE / s (SphereFaceR_H's default lw = 50, so 5/3 of CE at s = 30);
  None (default) keeps the plain cross-entropy of OpenSphere's `SphereFace` head.
OpenSphere's own SphereFace-R recipe (config/train/vggface2_sfnet20_spherefacer.yml) is
`{s: 60, m: 1.4, margin_type: v2, lw: 50}` with `renormalise: true` (NormFaceHead); docs/fidelity.md.
"""

from __future__ import annotations

import math

import torch

from sphere.losses.base import HeadOutput
from sphere.losses.common import replace_target
from sphere.losses.normface import NormFaceHead
from sphere.losses.ranges import BOOLEAN, POSITIVE, Range
from sphere.losses.registry import register


def psi_r(cos_theta: torch.Tensor, m: float) -> torch.Tensor:
    """(-1)^k cos(m theta) - 2k, k = floor(m theta / pi), theta = acos(cos_theta) (cos clamped to [-1, 1])."""
    m_theta = m * torch.acos(cos_theta.clamp(-1, 1))
    k = torch.floor(m_theta / math.pi)
    sign = 1 - 2 * torch.remainder(k, 2)
    return sign * torch.cos(m_theta) - 2 * k


MARGIN_TYPES = ("v0", "v1", "v2")


@register(s=POSITIVE, m=Range(low=1), margin_type=Range(choices=MARGIN_TYPES), lw=POSITIVE, renormalise=BOOLEAN)
class SphereFaceRHead(NormFaceHead):
    """Normalised features and weights, scale s, multiplicative margin m applied with detached difference."""

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        s: float = 30.0,
        m: float = 1.5,
        margin_type: str = "v0",
        lw: float | None = None,
        renormalise: bool = False,
    ) -> None:
        super().__init__(feature_dim, num_classes, s, renormalise)
        if m < 1:
            raise ValueError(f"SphereFace-R margin m must be >= 1, got {m!r}")
        if margin_type not in MARGIN_TYPES:
            raise ValueError(f"margin_type must be one of {', '.join(MARGIN_TYPES)}, got {margin_type!r}")
        self.m, self.margin_type, self.lw = m, margin_type, lw

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        plain = cos_y.detach()
        if self.margin_type == "v1":
            return cos_y + (torch.cos((self.m * torch.acos(plain)).clamp(max=math.pi)) - plain)
        return cos_y + (psi_r(plain, self.m) - plain)

    def margin_logits(self, cos: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.margin_type != "v2":
            return super().margin_logits(cos, labels)
        plain = cos.detach()
        others = cos + (torch.cos(torch.acos(plain) / self.m) - plain)
        return replace_target(others, labels, cos.gather(1, labels[:, None]))

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        out = super().forward(features, labels)
        if self.lw is not None:
            out.loss = out.loss * (self.lw / self.s)
        return out
