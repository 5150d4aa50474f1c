"""NormFace (Wang et al., ACM MM 2017): softmax on cosines of normalised features and weights (docs/paper.md §1).

Also the base of the other normalised heads (CosFace, ArcFace, SphereFace-R): they change
`target(cos_y)`, the target-class cosine before scaling by s, or `margin_logits` for every class.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import cosine, margin_dtype, replace_target
from sphere.losses.ranges import BOOLEAN, POSITIVE
from sphere.losses.registry import register
from sphere.models.init import xavier_


def renormalise_(weight: torch.Tensor) -> None:
    """Rescale each stored class weight (row) to unit norm, in place and outside autograd."""
    with torch.no_grad():
        weight.div_(weight.norm(dim=1, keepdim=True).clamp_min(1e-12))


@register(s=POSITIVE, renormalise=BOOLEAN)
class NormFaceHead(Head):
    """Logits s cos(theta_j), no bias, no margin.

    NormFace learns or fixes s; we fix it. Default s = 30, the scale AM-Softmax (Wang et al. 2018)
    and OpenSphere's SphereFace-R use with unit-norm features.

    `renormalise=True` rescales the *stored* class weights to unit norm in place before every forward and uses
    them as they are (OpenSphere's heads, e.g. model/head/cosface.py: `w.data = F.normalize(w.data)` under
    no_grad), so their gradient is not projected onto the sphere's tangent and weight decay acts on unit
    vectors. The default (False) normalises inside the graph, as sphere always did for these heads.
    """

    def __init__(self, feature_dim: int, num_classes: int, s: float = 30.0, renormalise: bool = False) -> None:
        super().__init__(feature_dim, num_classes)
        if s <= 0:
            raise ValueError(f"scale s must be positive, got {s!r}")
        self.s = s
        self.renormalise = renormalise
        self.weight = nn.Parameter(torch.empty(num_classes, feature_dim))
        xavier_(self.weight)

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        """Target-class cosine after the margin (none for NormFace); cos_y is N x 1."""
        return cos_y

    def margin_logits(self, cos: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Every class's cosine after the margin, before scaling by s (N x C); the target column by default."""
        return replace_target(cos, labels, self.target(cos.gather(1, labels[:, None])))

    def cosines(self, features: torch.Tensor) -> torch.Tensor:
        """cos(theta_j) of every feature and class weight, in the margin precision."""
        dtype = margin_dtype(features)
        if not self.renormalise:
            return cosine(features.to(dtype), self.weight.to(dtype))
        renormalise_(self.weight)
        return (F.normalize(features.to(dtype), dim=1) @ self.weight.to(dtype).t()).clamp(-1, 1)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            cos = self.cosines(features)
            loss = F.cross_entropy(self.s * self.margin_logits(cos, labels), labels)
        return HeadOutput(loss, self.s * cos)
