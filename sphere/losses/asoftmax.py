"""A-Softmax (SphereFace), docs/paper.md §1 (paper Sec. 3.2, Eq. 6-7): angular margin m on normalised class weights."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import margin_dtype
from sphere.losses.ranges import ANGULAR_M, ANNEALING
from sphere.losses.registry import register
from sphere.models.init import xavier_

# cos(m theta) as a polynomial in cos(theta): the multiple-angle (Chebyshev) formulas.
_CHEBYSHEV = {
    1: lambda c: c,
    2: lambda c: 2 * c**2 - 1,
    3: lambda c: 4 * c**3 - 3 * c,
    4: lambda c: 8 * c**4 - 8 * c**2 + 1,
    5: lambda c: 16 * c**5 - 20 * c**3 + 5 * c,
}
_CHEBYSHEV_DERIVATIVE = {
    1: lambda c: torch.ones_like(c),
    2: lambda c: 4 * c,
    3: lambda c: 12 * c**2 - 3,
    4: lambda c: 32 * c**3 - 16 * c,
    5: lambda c: 80 * c**4 - 60 * c**2 + 5,
}
RELEASED_M = (1, 2, 3, 4)  # SINGLE, DOUBLE, TRIPLE, QUADRUPLE of the released layer
GRADIENTS = ("released", "exact")


def interval(cos_theta: torch.Tensor, m: int) -> torch.Tensor:
    """k with theta in [k pi/m, (k+1) pi/m], from thresholds on cos(theta) as the released code does."""
    k = torch.zeros_like(cos_theta)
    for j in range(1, m):
        k = k + (cos_theta <= math.cos(j * math.pi / m)).to(cos_theta.dtype)
    return k


def psi(cos_theta: torch.Tensor, m: int) -> torch.Tensor:
    """psi(theta) = (-1)^k cos(m theta) - 2k for theta in [k pi/m, (k+1) pi/m] (paper Eq. 7; docs/paper.md §1)."""
    if m not in _CHEBYSHEV:
        raise ValueError(f"A-Softmax margin m must be an integer in {sorted(_CHEBYSHEV)}, got {m!r}")
    k = interval(cos_theta, m)
    return (1 - 2 * torch.remainder(k, 2)) * _CHEBYSHEV[m](cos_theta) - 2 * k


@dataclass(frozen=True)
class LambdaSchedule:
    """lambda = max(lambda_min, base * (1 + gamma * iteration)^(-power)); released values (Appendix G)."""

    base: float = 1000.0
    gamma: float = 0.12
    power: float = 1.0
    lambda_min: float = 5.0

    def __call__(self, iteration: int) -> float:
        return max(self.lambda_min, self.base * (1.0 + self.gamma * iteration) ** (-self.power))


def psi_derivative(cos_theta: torch.Tensor, m: int) -> torch.Tensor:
    """d psi / d cos(theta) = (-1)^k T_m'(cos theta), T_m the Chebyshev polynomial of psi."""
    return (1 - 2 * torch.remainder(interval(cos_theta, m), 2)) * _CHEBYSHEV_DERIVATIVE[m](cos_theta)


class ReleasedMarginProduct(torch.autograd.Function):
    """The released MarginInnerProduct layer (wy1iu/sphereface, margin_inner_product_layer.cpp/.cu).

    Forward, with unit class weights W: logits x W^T, the target column replaced by
    ||x|| (lambda cos(theta_y) + psi(theta_y)) / (1 + lambda). Backward, as that layer's Backward does:
    - the class weights get g^T x, the gradient of a plain inner product (the margin is ignored);
    - a non-target column j gives the feature g_ij W_j;
    - the target column's exact gradient c_w W_y + c_x x (c_w = psi', c_x = (psi - cos psi') / ||x||) has
      its coefficient pair (c_w, c_x) rescaled to unit length before it is mixed with lambda W_y:
      g_iy (lambda W_y + (c_w W_y + c_x x) / ||(c_w, c_x)||) / (1 + lambda).
    The repository's README calls this the gradient "normalised for stable convergence"; the released
    lambda schedule was tuned with it. docs/fidelity.md derives it.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, w: torch.Tensor, labels: torch.Tensor, m: int, lam: float) -> torch.Tensor:
        x_norm = x.norm(dim=1, keepdim=True).clamp_min(1e-12)
        logits = x @ w.t()
        cos_y = (logits.gather(1, labels[:, None]) / x_norm).clamp(-1, 1)
        target = x_norm * (lam * cos_y + psi(cos_y, m)) / (1 + lam)
        ctx.save_for_backward(x, w, labels, x_norm, cos_y)
        ctx.m, ctx.lam = m, lam
        return logits.scatter(1, labels[:, None], target)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        x, w, labels, x_norm, cos_y = ctx.saved_tensors
        m, lam = ctx.m, ctx.lam
        grad_w = grad.t() @ x
        grad_y = grad.gather(1, labels[:, None])
        w_y = w[labels]
        c_w = psi_derivative(cos_y, m)
        c_x = (psi(cos_y, m) - cos_y * c_w) / x_norm
        length = torch.sqrt(c_w**2 + c_x**2).clamp_min(1e-12)
        target_direction = (lam * w_y + (c_w * w_y + c_x * x) / length) / (1 + lam)
        grad_x = grad @ w + grad_y * (target_direction - w_y)
        return grad_x, grad_w, None, None, None


@register(m=ANGULAR_M, **ANNEALING)
class ASoftmaxHead(Head):
    """Target logit (lambda ||x|| cos(theta_y) + ||x|| psi(theta_y)) / (1 + lambda); others ||x|| cos(theta_j)
    (paper Eq. 7, annealing of Appendix G). m = 1 is the modified softmax; there is no bias.

    As released (the defaults): `renormalise` rescales the *stored* class weights to unit norm in place
    before every forward, as the released layer does, so momentum and weight decay act on unit vectors;
    `gradient="released"` back-propagates that layer's gradient (`ReleasedMarginProduct`). The options
    `gradient="exact"` (autograd's derivative of the same forward) and `renormalise=False` (raw weights,
    normalised inside the graph) are departures, recorded in every run's train.yaml.
    The margin math runs in float32 whatever the surrounding autocast (float64 inputs stay float64).
    L-Softmax (lsoftmax.py) is this head without weight normalisation.
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
        gradient: str = "released",
        renormalise: bool = True,
    ) -> None:
        super().__init__(feature_dim, num_classes)
        psi(torch.zeros(1), m)  # validates m early
        if gradient not in GRADIENTS:
            raise ValueError(f"gradient must be one of {', '.join(GRADIENTS)}, got {gradient!r}")
        if gradient == "released" and m not in RELEASED_M:
            raise ValueError(
                f"gradient 'released' exists for m in {list(RELEASED_M)} only (got m={m}); use gradient: exact"
            )
        if gradient == "released" and not (self.normalize_weights and renormalise):
            raise ValueError("gradient 'released' needs renormalised unit class weights (renormalise: true)")
        self.m, self.gradient, self.renormalise = m, gradient, renormalise
        self.schedule = LambdaSchedule(base, gamma, power, lambda_min)
        self.weight = nn.Parameter(torch.empty(num_classes, feature_dim))
        xavier_(self.weight)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        lam = self.schedule(self.iteration)
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            x = features.to(dtype)
            if self.renormalise:
                with torch.no_grad():
                    self.weight.div_(self.weight.norm(dim=1, keepdim=True).clamp_min(1e-12))
            w = self.weight.to(dtype)
            if self.gradient == "released":
                logits = ReleasedMarginProduct.apply(x, w, labels, self.m, lam)
                target_plain = (x.detach() * w.detach()[labels]).sum(1, keepdim=True)  # x . W_y, no margin
                plain = logits.detach().scatter(1, labels[:, None], target_plain)
            else:
                x_norm = x.norm(dim=1, keepdim=True).clamp_min(1e-12)
                unit = w if self.renormalise else F.normalize(w, dim=1)
                cos = (x @ unit.t() / x_norm).clamp(-1, 1)
                scale = x_norm * (1.0 if self.normalize_weights else w.norm(dim=1).clamp_min(1e-12)[None, :])
                cos_y = cos.gather(1, labels[:, None])
                target = (lam * cos_y + psi(cos_y, self.m)) / (1 + lam)
                logits = scale * cos.scatter(1, labels[:, None], target)
                plain = scale * cos
            loss = F.cross_entropy(logits, labels)
        return HeadOutput(loss, plain, {"lambda": lam})
