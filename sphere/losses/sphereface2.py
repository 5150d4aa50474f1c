"""SphereFace2 (Wen et al., "SphereFace2: Binary Classification is All You Need for Deep Face Recognition",
ICLR 2022) as OpenSphere implements it (ydwen/opensphere, model/head/sphereface2.py at commit f220a2c).

Every class is its own binary problem (one-vs-all), not one softmax over the classes. With cos_j the cosine of
the normalised feature and class weight j, g(c) = 2 ((c + 1) / 2)^t - 1 (the similarity adjustment, t = 3) and
a margin that depends on `margin_type`:
- "C" (additive cosine margin, the default): g(cos_y) - m for the target, g(cos_j) + m for the others;
- "A" (additive angular): g(cos(min(theta_y + m, pi))) for the target, g(cos_j) for the others;
- "M" (multiplicative angular): g(cos(min(m theta_y, pi))) for the target, g(cos_j) for the others.
The logit of class j is r z_j + b with the margin detached (value r z_j + b, gradient of r cos_j, as in
SphereFace-R), b one learned bias shared by the classes. The loss is the mean over samples and classes of
binary cross-entropy, weighted alpha for the target and 1 - alpha for the others and scaled by lw C / r:
  lw / r * mean_i [alpha softplus(-l_iy) + (1 - alpha) sum_{j != y} softplus(l_ij)].
b starts where the target and non-target losses balance for the untrained network (cos ~ 0): with
z = alpha / ((1 - alpha)(C - 1)) and a_y, a_i the target / non-target logits at theta_y = pi / 2 (after the
margin; for "A" and "M" at the margin-moved angle),
  b = log(2 z) - a_i - log(1 - z + sqrt((1 - z)^2 + 4 z exp(a_y - a_i))).

Defaults are OpenSphere's head defaults: margin_type C, alpha 0.7, r 40, m 0.4, t 3, lw 50 (its VGGFace2 recipes
use lw 10; its MS1M recipe alpha 0.8, r 64, m 0.5), and its in-place renormalisation of the stored class
weights (`renormalise=True`, see NormFaceHead). The class weights start with sphere's `xavier_` (OpenSphere:
xavier_normal_), and the bias is named `bias`, so sphere's solver treats it as its other biases
(param_multipliers). The logits returned for training accuracy are r cos_j + b, without margin.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import margin_dtype
from sphere.losses.normface import renormalise_
from sphere.losses.ranges import BOOLEAN, NON_NEGATIVE, POSITIVE, Range
from sphere.losses.registry import register
from sphere.models.init import xavier_

MARGIN_TYPES = ("C", "A", "M")


def similarity(cos: torch.Tensor, t: float) -> torch.Tensor:
    """g(cos) = 2 ((cos + 1) / 2)^t - 1: maps [-1, 1] onto itself, t > 1 pushing the middle down."""
    return 2 * ((cos + 1) / 2) ** t - 1


def initial_bias(margin_type: str, num_classes: int, alpha: float, r: float, m: float, t: float) -> float:
    """The bias at which the weighted target and non-target losses balance at theta = pi / 2 (see module doc)."""
    z = alpha / ((1 - alpha) * (num_classes - 1))
    at_right_angle = r * (2 * 0.5**t - 1)
    if margin_type == "C":
        a_y, a_i = at_right_angle - r * m, at_right_angle + r * m
    else:
        moved = math.pi / 2 + m if margin_type == "A" else m * math.pi / 2
        a_y, a_i = r * (2 * ((math.cos(min(math.pi, moved)) + 1) / 2) ** t - 1), at_right_angle
    return math.log(2 * z) - a_i - math.log(1 - z + math.sqrt((1 - z) ** 2 + 4 * z * math.exp(a_y - a_i)))


@register(
    margin_type=Range(choices=MARGIN_TYPES),
    alpha=Range(low=0, high=1, low_open=True, high_open=True),
    r=POSITIVE,
    m=NON_NEGATIVE,
    t=POSITIVE,
    lw=POSITIVE,
    renormalise=BOOLEAN,
)
class SphereFace2Head(Head):
    """One-vs-all binary losses on the hypersphere with a detached margin (module doc)."""

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        margin_type: str = "C",
        alpha: float = 0.7,
        r: float = 40.0,
        m: float = 0.4,
        t: float = 3.0,
        lw: float = 50.0,
        renormalise: bool = True,
    ) -> None:
        super().__init__(feature_dim, num_classes)
        if margin_type not in MARGIN_TYPES:
            raise ValueError(f"margin_type must be one of {', '.join(MARGIN_TYPES)}, got {margin_type!r}")
        if num_classes < 2 or not 0 < alpha < 1:
            raise ValueError(f"SphereFace2 needs >= 2 classes and 0 < alpha < 1, got {num_classes}, {alpha!r}")
        self.margin_type, self.alpha, self.r, self.m, self.t, self.lw = margin_type, alpha, r, m, t, lw
        self.renormalise = renormalise
        self.weight = nn.Parameter(torch.empty(num_classes, feature_dim))
        xavier_(self.weight)
        self.bias = nn.Parameter(torch.tensor([initial_bias(margin_type, num_classes, alpha, r, m, t)]))

    def adjusted(self, cos: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """z_j: g of each cosine after the margin (target: N x C booleans of the label columns)."""
        if self.margin_type == "C":
            return similarity(cos, self.t) - self.m * (2 * target.to(cos.dtype) - 1)
        theta = torch.acos(cos)
        moved = theta + self.m if self.margin_type == "A" else theta * self.m
        return similarity(torch.cos(torch.where(target, moved.clamp(max=math.pi), theta)), self.t)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            x = F.normalize(features.to(dtype), dim=1)
            if self.renormalise:
                renormalise_(self.weight)
                w = self.weight.to(dtype)
            else:
                w = F.normalize(self.weight.to(dtype), dim=1)
            cos = (x @ w.t()).clamp(-1, 1)
            target = F.one_hot(labels, self.num_classes).bool()
            plain = cos.detach()
            logits = self.r * (cos + (self.adjusted(plain, target) - plain)) + self.bias.to(dtype)
            one_hot = target.to(dtype)
            weights = (1 - self.alpha + (2 * self.alpha - 1) * one_hot) * (self.lw * self.num_classes / self.r)
            loss = F.binary_cross_entropy_with_logits(logits, one_hot, weight=weights)
        return HeadOutput(loss, self.r * cos.detach() + self.bias.detach().to(dtype))
