"""What every loss head shares: it owns its weights and returns the loss (OpenSphere's shape)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class HeadOutput:
    """Loss of a batch, the logits used for training accuracy (None for pair/triplet losses) and
    scalars worth logging (e.g. the annealing weight lambda); `monitor` is filled by the trainer (sphere.train.loop:
    the batch's mean feature norm and target angle, kept on the device)."""

    loss: torch.Tensor
    logits: torch.Tensor | None = None
    log: dict[str, float] = field(default_factory=dict)
    monitor: torch.Tensor | None = None


class Head(nn.Module):
    """A loss head: maps (features, labels) to a loss, keeping its own parameters.

    `iteration` is set by the trainer before every step, for heads whose formula depends on it
    (A-Softmax annealing, Appendix G of the paper). `needs_pairs` asks the trainer for batches
    holding several images per identity (contrastive and triplet mining).
    """

    needs_pairs: bool = False

    def __init__(self, feature_dim: int, num_classes: int) -> None:
        super().__init__()
        self.feature_dim = feature_dim
        self.num_classes = num_classes
        self.iteration = 0

    def set_iteration(self, iteration: int) -> None:
        self.iteration = iteration

    def param_groups(self, lr: float, weight_decay: float) -> list[dict]:
        """Optimizer parameter groups; heads with their own learning rate (centre loss) override."""
        params = [p for p in self.parameters() if p.requires_grad]
        return [{"params": params, "lr": lr, "weight_decay": weight_decay}] if params else []

    def class_weights(self) -> torch.Tensor | None:
        """The class weights W (C x D) whose angle to a feature x is theta_j, or None for heads without a
        classifier (triplet); the free classifiers (softmax, centre, contrastive) give their linear layer's."""
        for owner in (self, getattr(self, "fc", None)):
            weight = getattr(owner, "weight", None)
            if isinstance(weight, torch.Tensor):
                return weight
        return None

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> HeadOutput:  # pragma: no cover
        raise NotImplementedError
