"""Softmax + center loss (Wen et al., ECCV 2016), a baseline of docs/paper.md §1 (paper Tables 4-5).

loss = CE(W^T x + b) + loss_weight / 2 * mean_i ||x_i - c_{y_i}||^2.

The centres are not learned by the gradient of that term but by the paper's rule (Eq. 4):
c_j <- c_j - alpha * delta_j, delta_j = sum_{i: y_i = j} (c_j - x_i) / (1 + n_j), which does not
depend on loss_weight. The head makes delta_j the centres' gradient (a term of value zero whose
gradient is delta), and `param_groups` gives the centres lr = center_lr (alpha), no momentum and no
weight decay, so that a plain SGD step applies Eq. 4 exactly. The group is marked `fixed_lr`: alpha is
not scaled by the lr schedule (the released solver keeps it fixed) and, under DDP, the trainer sums the
processes' updates instead of averaging them.

Defaults: loss_weight = 0.008, the weight of the released face example of the authors' Caffe code
(ydwen/caffe-face, face_train_test.prototxt, CASIA-WebFace with 10,572 classes; the paper's Sec. 4
uses lambda = 0.003 with its own data); center_lr = alpha = 0.5, the paper's value.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sphere.losses.base import Head, HeadOutput
from sphere.losses.common import linear_classifier, margin_dtype
from sphere.losses.ranges import NON_NEGATIVE
from sphere.losses.registry import register
from sphere.models.init import xavier_


@register(loss_weight=NON_NEGATIVE, center_lr=NON_NEGATIVE)
class CenterHead(Head):
    """A free linear classifier with bias plus one centre per class."""

    def __init__(self, feature_dim: int, num_classes: int, loss_weight: float = 0.008, center_lr: float = 0.5) -> None:
        super().__init__(feature_dim, num_classes)
        if loss_weight < 0 or center_lr < 0:
            raise ValueError(f"loss_weight and center_lr must be >= 0, got {loss_weight!r}, {center_lr!r}")
        self.loss_weight = loss_weight
        self.center_lr = center_lr
        self.fc = linear_classifier(feature_dim, num_classes)
        self.centers = nn.Parameter(torch.empty(num_classes, feature_dim))
        xavier_(self.centers)  # the released prototxt's center_filler

    def param_groups(self, lr: float, weight_decay: float) -> list[dict]:
        return [
            {"params": list(self.fc.parameters()), "lr": lr, "weight_decay": weight_decay},
            {"params": [self.centers], "lr": self.center_lr, "weight_decay": 0.0, "momentum": 0.0, "fixed_lr": True},
        ]

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:
        with torch.autocast(features.device.type, enabled=False):
            dtype = margin_dtype(features)
            x = features.to(dtype)
            logits = F.linear(x, self.fc.weight.to(dtype), self.fc.bias.to(dtype))
            centers = self.centers.to(dtype)
            c_y = centers.detach()[labels]
            center_term = 0.5 * (x - c_y).pow(2).sum(dim=1).mean()
            with torch.no_grad():
                counts = torch.bincount(labels, minlength=self.num_classes).to(dtype)
                delta = torch.zeros_like(centers).index_add_(0, labels, c_y - x)
                delta /= (1 + counts)[:, None]
            # value 0, gradient delta with respect to the centres (Eq. 4)
            center_update = ((centers - centers.detach()) * delta).sum()
            loss = F.cross_entropy(logits, labels) + self.loss_weight * center_term + center_update
        return HeadOutput(loss, logits)
