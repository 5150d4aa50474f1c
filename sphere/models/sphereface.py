"""SphereFace-4/10/20/36/64 (docs/paper.md §2, paper Table 2): four stride-2 stages with PReLU residual units."""

from __future__ import annotations

import math

import torch
from torch import nn

from sphere.models.init import xavier_
from sphere.models.registry import register

CHANNELS = (64, 128, 256, 512)
# Residual units per stage, paper Table 2. The released 64-layer prototxt (wy1iu/sphereface,
# train/model_lib/Sphereface-64/sphereface_64_model.prototxt) has 3, 7, 16, 3 (62 conv layers): it is
# registered as `sphereface64_released`; `sphereface64` is the paper's table (config/paper.yaml uses it).
UNITS = {4: (0, 0, 0, 0), 10: (0, 1, 2, 0), 20: (1, 2, 4, 1), 36: (2, 4, 8, 2), 64: (3, 8, 16, 3)}
RELEASED_UNITS = {64: (3, 7, 16, 3)}


class ResidualUnit(nn.Module):
    """[3x3 conv, PReLU] x 2 plus identity; these convs start Gaussian(0.01) with zero, frozen bias
    (lr_mult 0 in the released prototxt: no bias parameter at all here)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.PReLU(channels),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.PReLU(channels),
        )
        for conv in (self.body[0], self.body[2]):
            assert isinstance(conv, nn.Conv2d)
            nn.init.normal_(conv.weight, std=0.01)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def stage(in_channels: int, out_channels: int, units: int) -> nn.Sequential:
    """A stride-2 conv that changes the channel count (`xavier`, zero bias), then `units` residual units."""
    down = nn.Conv2d(in_channels, out_channels, 3, 2, 1)
    xavier_(down.weight)
    assert down.bias is not None  # built with a bias above
    nn.init.zeros_(down.bias)
    return nn.Sequential(down, nn.PReLU(out_channels), *(ResidualUnit(out_channels) for _ in range(units)))


class SphereFace(nn.Module):
    """Face embedding network; `forward` returns FC1 (no ReLU after it, Appendix)."""

    def __init__(
        self,
        depth: int = 20,
        width: float = 1.0,
        feature_dim: int = 512,
        input_size: tuple[int, int] = (112, 96),
        units: tuple[int, int, int, int] | None = None,
    ) -> None:
        super().__init__()
        if depth not in UNITS:
            raise ValueError(f"SphereFace depth must be one of {sorted(UNITS)}, got {depth}")
        channels = [max(1, round(c * width)) for c in CHANNELS]
        stages, previous = [], 3
        for out, n in zip(channels, units or UNITS[depth]):
            stages.append(stage(previous, out, n))
            previous = out
        self.features = nn.Sequential(*stages)
        height, width_px = input_size
        for _ in CHANNELS:  # each stride-2 conv with padding 1 halves the size, rounding up
            height, width_px = math.ceil(height / 2), math.ceil(width_px / 2)
        self.fc1 = nn.Linear(previous * height * width_px, feature_dim)
        xavier_(self.fc1.weight)
        nn.init.zeros_(self.fc1.bias)
        self.depth, self.input_size, self.feature_dim = depth, input_size, feature_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc1(self.features(x).flatten(1))


for _depth in UNITS:
    register(f"sphereface{_depth}")(lambda _d=_depth, **kw: SphereFace(depth=_d, **kw))
for _depth, _units in RELEASED_UNITS.items():
    register(f"sphereface{_depth}_released")(lambda _d=_depth, _u=_units, **kw: SphereFace(depth=_d, units=_u, **kw))
