"""Every loss head by name, torch-free: the keyword parameters it accepts (in its signature's order) and
whether it needs P x K batches. The config reads this table without importing torch; the torch registry
(`sphere.losses.registry.register`) refuses a head whose signature or `needs_pairs` disagrees with it.
Parameter ranges are the companion table `sphere.losses.ranges.PARAM_RANGES`.
"""

from __future__ import annotations

from dataclasses import dataclass

ANNEALING = ("base", "gamma", "power", "lambda_min")  # lambda of the annealed heads (docs/fidelity.md)


@dataclass(frozen=True)
class LossSpec:
    params: tuple[str, ...] = ()  # keyword parameters beyond feature_dim and num_classes
    needs_pairs: bool = False  # contrastive and triplet mining: several images per identity in a batch


LOSSES: dict[str, LossSpec] = {
    "softmax": LossSpec(),
    "asoftmax": LossSpec(("m", *ANNEALING, "gradient", "renormalise")),  # paper Sec. 3; annealing: Appendix G
    "lsoftmax": LossSpec(("m", *ANNEALING, "gradient")),
    "center": LossSpec(("loss_weight", "center_lr")),
    "contrastive": LossSpec(("loss_weight", "margin"), needs_pairs=True),
    "triplet": LossSpec(("margin",), needs_pairs=True),
    "normface": LossSpec(("s",)),
    "cosface": LossSpec(("s", "m")),
    "arcface": LossSpec(("s", "m")),
    "sphereface_r": LossSpec(("s", "m")),
}


def loss_params(name: str) -> list[str]:
    """The parameter names a loss accepts (KeyError for an unknown loss)."""
    return list(LOSSES[name].params)
