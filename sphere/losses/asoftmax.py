"""A-Softmax (SphereFace), PAPER.md §1: angular margin m on normalised class weights."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import margin_dtype
from sphere.losses.registry import register

# cos(m theta) as a polynomial in cos(theta): the multiple-angle (Chebyshev) formulas.
_CHEBYSHEV = {
    1: lambda c: c,
    2: lambda c: 2 * c**2 - 1,
    3: lambda c: 4 * c**3 - 3 * c,
    4: lambda c: 8 * c**4 - 8 * c**2 + 1,
    5: lambda c: 16 * c**5 - 20 * c**3 + 5 * c,
}


def psi(cos_theta: torch.Tensor, m: int) -> torch.Tensor:
    """psi(theta) = (-1)^k cos(m theta) - 2k for theta in [k pi/m, (k+1) pi/m] (paper Eq. 6-7).

    k is found from thresholds on cos(theta) rather than from acos, as the released code does.
    """
    if m not in _CHEBYSHEV:
        raise ValueError(f"A-Softmax margin m must be an integer in {sorted(_CHEBYSHEV)}, got {m!r}")
    cos_m_theta = _CHEBYSHEV[m](cos_theta)
    k = torch.zeros_like(cos_theta)
    for j in range(1, m):
        k = k + (cos_theta <= math.cos(j * math.pi / m)).to(cos_theta.dtype)
    sign = 1 - 2 * torch.remainder(k, 2)
    return sign * cos_m_theta - 2 * k


@dataclass(frozen=True)
class LambdaSchedule:
    """lambda = max(lambda_min, base * (1 + gamma * iteration)^(-power)); released values (Appendix G)."""

    base: float = 1000.0
    gamma: float = 0.12
    power: float = 1.0
    lambda_min: float = 5.0

    def __call__(self, iteration: int) -> float:
        return max(self.lambda_min, self.base * (1.0 + self.gamma * iteration) ** (-self.power))


@register("asoftmax")
class ASoftmaxHead(Head):
    """Target logit (lambda ||x|| cos(theta_y) + ||x|| psi(theta_y)) / (1 + lambda); others ||x|| cos(theta_j).

    ||W_j|| = 1 is enforced in every forward pass and there is no bias. m = 1 is the modified softmax.
    The margin math runs in float32 whatever the surrounding autocast (float64 inputs stay float64).
    L-Softmax (lsoftmax.py) is this head with `normalize_weights = False`.
    """

    normalize_weights = True

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        m: int = 4,
        base: float = 1000.0,
        gamma: float = 0.12,
        power: float = 1.0,
        lambda_min: float = 5.0,
    ) -> None:
        super().__init__(feature_dim, num_classes)
        psi(torch.zeros(1), m)  # validates m early
        self.m = m
        self.schedule = LambdaSchedule(base, gamma, power, lambda_min)
        self.weight = nn.Parameter(torch.empty(num_classes, feature_dim))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            x = features.to(dtype)
            w = self.weight.to(dtype)
            x_norm = x.norm(dim=1, keepdim=True).clamp_min(1e-12)
            w_norm = w.norm(dim=1).clamp_min(1e-12)
            cos = (x @ F.normalize(w, dim=1).t() / x_norm).clamp(-1, 1)
            scale = x_norm * (1.0 if self.normalize_weights else w_norm[None, :])
            lam = self.schedule(self.iteration)
            cos_y = cos.gather(1, labels[:, None])
            target = (lam * cos_y + psi(cos_y, self.m)) / (1 + lam)
            logits = scale * cos.scatter(1, labels[:, None], target)
            loss = F.cross_entropy(logits, labels)
        return HeadOutput(loss, scale * cos, {"lambda": lam})
