"""L-Softmax (Liu et al., ICML 2016), the baseline of docs/paper.md §1 (paper Tables 4-5).

Same psi and lambda annealing as A-Softmax, but the class weights keep their norm: target logit
||W_y|| ||x|| (lambda cos(theta_y) + psi(theta_y)) / (1 + lambda), others ||W_j|| ||x|| cos(theta_j),
i.e. the plain inner product W_j^T x (no bias). The annealing defaults are the released SphereFace ones
(base 1000, gamma 0.12, power 1, lambda_min 5) so that the two losses differ only in the weight norm.
"""

from __future__ import annotations

from sphere.losses.asoftmax import ASoftmaxHead
from sphere.losses.ranges import ANGULAR_M, ANNEALING
from sphere.losses.registry import register


@register(m=ANGULAR_M, **ANNEALING)
class LSoftmaxHead(ASoftmaxHead):
    """A-Softmax without weight normalisation (m = 4 by default), trained with the exact gradient: the
    released SphereFace layer's gradient assumes unit class weights, so `gradient` accepts "exact" only."""

    normalize_weights = False

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        m: int = 4,
        base: float = 1000.0,
        gamma: float = 0.12,
        power: float = 1.0,
        lambda_min: float = 5.0,
        gradient: str = "exact",
    ) -> None:
        if gradient != "exact":
            raise ValueError(
                f"gradient {gradient!r} is not available for lsoftmax: only 'exact' "
                "(the released gradient is SphereFace's, for unit class weights)"
            )
        super().__init__(feature_dim, num_classes, m, base, gamma, power, lambda_min, gradient, renormalise=False)
