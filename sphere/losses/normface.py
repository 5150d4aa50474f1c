"""NormFace (Wang et al., ACM MM 2017): softmax on cosines of normalised features and weights (docs/paper.md §1).

Also the base of the other normalised heads (CosFace, ArcFace, SphereFace-R): they change only
`target(cos_y)`, the target-class cosine before scaling by s.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import cosine, margin_dtype, replace_target
from sphere.losses.registry import register
from sphere.models.init import xavier_


@register("normface")
class NormFaceHead(Head):
    """Logits s cos(theta_j), no bias, no margin.

    NormFace learns or fixes s; we fix it. Default s = 30, the scale AM-Softmax (Wang et al. 2018)
    and OpenSphere's SphereFace-R use with unit-norm features.
    """

    def __init__(self, feature_dim: int, num_classes: int, s: float = 30.0) -> None:
        super().__init__(feature_dim, num_classes)
        if s <= 0:
            raise ValueError(f"scale s must be positive, got {s!r}")
        self.s = s
        self.weight = nn.Parameter(torch.empty(num_classes, feature_dim))
        xavier_(self.weight)

    def target(self, cos_y: torch.Tensor) -> torch.Tensor:
        """Target-class cosine after the margin (none for NormFace); cos_y is N x 1."""
        return cos_y

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            cos = cosine(features.to(dtype), self.weight.to(dtype))
            target = self.target(cos.gather(1, labels[:, None]))
            loss = F.cross_entropy(self.s * replace_target(cos, labels, target), labels)
        return HeadOutput(loss, self.s * cos)
