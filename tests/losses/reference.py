"""Float64 reference implementations the loss tests compare the heads with, written from the formulas
(docs/paper.md) in plain Python loops, independent of the heads' code.

`margin_cross_entropy` is the shared skeleton: the mean softmax cross-entropy over classes whose logits are
built per (sample, class) from the cosine and the norms; each margin loss supplies only its target/other logit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

# logit(i, j, is_target, cos, x_norm, w_norm) -> float
Logit = Callable[[int, int, bool, float, float, float], float]


def batch(seed: int = 0, n: int = 4, c: int = 3, d: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """n random float64 features of dimension d, labels 0..c-1 in turn."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64), torch.arange(n) % c


def central_differences(f, t: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """The gradient of the scalar function f at t, by central differences (float64)."""
    grad = torch.zeros_like(t)
    for idx in np.ndindex(*t.shape):
        plus, minus = t.clone(), t.clone()
        plus[idx] += eps
        minus[idx] -= eps
        grad[idx] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def norm(v: list[float]) -> float:
    return math.sqrt(sum(a * a for a in v))


def margin_cross_entropy(x, w, y, logit: Logit) -> float:
    """Mean over samples of log sum_j exp(logit_j) - logit_y, with logits from `logit`."""
    total = 0.0
    for i, (xi, yi) in enumerate(zip(x.tolist(), y.tolist())):
        x_norm = norm(xi)
        logits = []
        for j, wj in enumerate(w.tolist()):
            w_norm = norm(wj)
            cos = sum(a * b for a, b in zip(xi, wj)) / (x_norm * w_norm)
            logits.append(logit(i, j, j == yi, cos, x_norm, w_norm))
        total += math.log(sum(math.exp(v) for v in logits)) - logits[yi]
    return total / len(y)


def psi(cos: float, m: float) -> float:
    """psi(theta) = (-1)^k cos(m theta) - 2k on [k pi/m, (k+1) pi/m] (paper Eq. 7); k capped at ceil(m) - 1 so
    theta = pi stays in the last interval for an integer m; non-integer m as in SphereFace-R."""
    theta = math.acos(cos)
    k = min(math.floor(theta * m / math.pi), math.ceil(m) - 1)
    return (-1) ** k * math.cos(m * theta) - 2 * k


def psi_array(theta: np.ndarray, m: int) -> np.ndarray:
    """`psi` of an array of angles (integer m)."""
    k = np.minimum(np.floor(theta / (np.pi / m)), m - 1)
    return (-1.0) ** k * np.cos(m * theta) - 2 * k


def psi_torch(cos: torch.Tensor, m: int) -> torch.Tensor:
    """`psi` of a tensor of cosines, differentiable (integer m)."""
    theta = torch.acos(cos.clamp(-1, 1))
    k = torch.clamp(torch.floor(theta * m / math.pi), max=m - 1)
    return (-1) ** k * torch.cos(m * theta) - 2 * k


def annealed(cos: float, m: int, lam: float) -> float:
    """The annealed A-Softmax target cosine (lambda cos + psi) / (1 + lambda) (docs/paper.md §1, annealing)."""
    return (lam * cos + psi(cos, m)) / (1 + lam)


def asoftmax(x, w, y, m: int, lam: float) -> float:
    """A-Softmax: target logit ||x|| (lam cos + psi) / (1 + lam), others ||x|| cos (unit class weights)."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: xn * (annealed(cos, m, lam) if t else cos))


def lsoftmax(x, w, y, m: int, lam: float) -> float:
    """L-Softmax: as A-Softmax with the class weight norm kept, ||W_j|| ||x|| (...)."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: wn * xn * (annealed(cos, m, lam) if t else cos))


def normface(x, w, y, s: float) -> float:
    """NormFace: s cos theta_j for every class."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: s * cos)


def cosface(x, w, y, s: float, m: float) -> float:
    """CosFace / AM-Softmax: s (cos theta_y - m) for the target."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: s * (cos - m if t else cos))


def arc_target(cos: float, m: float, past_pi: str = "fallback") -> float:
    """ArcFace's cos(theta + m); past theta = pi - m: insightface's old fallback cos - m sin(m), the plain
    cos(theta + m) ("periodic") or the angle capped at pi ("clamp", -1)."""
    theta = math.acos(cos)
    if theta + m <= math.pi or past_pi == "periodic":
        return math.cos(theta + m)
    return cos - m * math.sin(m) if past_pi == "fallback" else -1.0


def arcface(x, w, y, s: float, m: float, past_pi: str = "fallback") -> float:
    """ArcFace: s cos(theta_y + m) for the target."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: s * (arc_target(cos, m, past_pi) if t else cos))


def sphereface_r_v1(x, w, y, s: float, m: float) -> float:
    """OpenSphere's margin type v1: target s cos(m theta_y), the angle capped at pi."""
    return margin_cross_entropy(
        x, w, y, lambda i, j, t, cos, xn, wn: s * (math.cos(min(m * math.acos(cos), math.pi)) if t else cos)
    )


def sphereface_r_v2(x, w, y, s: float, m: float) -> float:
    """OpenSphere's margin type v2: target s cos(theta_y), every other class s cos(theta_j / m)."""
    return margin_cross_entropy(x, w, y, lambda i, j, t, cos, xn, wn: s * (cos if t else math.cos(math.acos(cos) / m)))


def sphereface2(x, w, y, b: float, margin_type="C", alpha=0.7, r=40.0, m=0.4, t=3.0, lw=50.0) -> float:
    """SphereFace2: lw / r * mean_i sum_j of alpha softplus(-l_iy) or (1 - alpha) softplus(l_ij), l = r z + b,
    z = g(cos) after the margin, g(c) = 2 ((c + 1) / 2)^t - 1 (OpenSphere model/head/sphereface2.py)."""

    def g(c: float) -> float:
        return 2 * ((c + 1) / 2) ** t - 1

    total = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        for j, wj in enumerate(w.tolist()):
            cos = sum(a * c for a, c in zip(xi, wj)) / (norm(xi) * norm(wj))
            theta, target = math.acos(max(-1.0, min(1.0, cos))), j == yi
            if margin_type == "C":
                z = g(cos) - m if target else g(cos) + m
            elif target:
                z = g(math.cos(min(math.pi, theta + m if margin_type == "A" else theta * m)))
            else:
                z = g(cos)
            logit = r * z + b
            softplus = math.log1p(math.exp(-logit if target else logit))
            total += (alpha if target else 1 - alpha) * softplus
    return lw / r * total / len(y)


def sphereface_r(x, w, y, s: float, offsets=None, m: float = 1.5) -> float:
    """SphereFace-R: target logit s (cos_y + d_i), d_i = psi(theta_y) - cos_y unless `offsets` fixes it."""

    def logit(i: int, j: int, t: bool, cos: float, xn: float, wn: float) -> float:
        if t:
            cos += psi(cos, m) - cos if offsets is None else offsets[i]
        return s * cos

    return margin_cross_entropy(x, w, y, logit)
