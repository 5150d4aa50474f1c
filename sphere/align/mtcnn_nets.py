"""MTCNN networks P-Net, R-Net and O-Net (Zhang et al., IEEE SPL 2016), the landmark detector of docs/paper.md §3
(paper Sec. 4.1).

The layer names and shapes follow the state dicts shipped in the facenet-pytorch 2.6.0 wheel
(`facenet_pytorch/data/{pnet,rnet,onet}.pt`, converted from the authors' Caffe models), so
`load_state_dict(strict=True)` accepts them unchanged. Inputs are N x 3 x H x W RGB tensors already
normalised as (x - 127.5) / 128.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from sphere.errors import InputError

WEIGHT_FILES = ("pnet.pt", "rnet.pt", "onet.pt")


def _flatten_caffe(x: torch.Tensor) -> torch.Tensor:
    """Flatten N x C x H x W in the order the converted dense layers expect.

    The Caffe models were trained from MATLAB, whose images are transposed, so the dense
    weights enumerate (W, H, C) rather than torch's (C, H, W).
    """
    return x.permute(0, 3, 2, 1).flatten(1)


class PNet(nn.Module):
    """Proposal net: fully convolutional, a 12x12 window per output cell, stride 2."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 10, 3)
        self.prelu1 = nn.PReLU(10)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(10, 16, 3)
        self.prelu2 = nn.PReLU(16)
        self.conv3 = nn.Conv2d(16, 32, 3)
        self.prelu3 = nn.PReLU(32)
        self.conv4_1 = nn.Conv2d(32, 2, 1)
        self.conv4_2 = nn.Conv2d(32, 4, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (face probability N x H' x W', box offsets N x 4 x H' x W')."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
        return torch.softmax(self.conv4_1(x), dim=1)[:, 1], self.conv4_2(x)


class RNet(nn.Module):
    """Refine net on 24x24 crops."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 28, 3)
        self.prelu1 = nn.PReLU(28)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(28, 48, 3)
        self.prelu2 = nn.PReLU(48)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(48, 64, 2)
        self.prelu3 = nn.PReLU(64)
        self.dense4 = nn.Linear(576, 128)
        self.prelu4 = nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (face probability N, box offsets N x 4)."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu3(self.conv3(x))
        x = self.prelu4(self.dense4(_flatten_caffe(x)))
        return torch.softmax(self.dense5_1(x), dim=1)[:, 1], self.dense5_2(x)


class ONet(nn.Module):
    """Output net on 48x48 crops: score, box offsets and 5 landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3)
        self.prelu1 = nn.PReLU(32)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.prelu2 = nn.PReLU(64)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.prelu3 = nn.PReLU(64)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4 = nn.Conv2d(64, 128, 2)
        self.prelu4 = nn.PReLU(128)
        self.dense5 = nn.Linear(1152, 256)
        self.prelu5 = nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return (face probability N, box offsets N x 4, landmarks N x 10 as x1..x5, y1..y5
        in fractions of the crop's width and height)."""
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu4(self.conv4(x))
        x = self.prelu5(self.dense5(_flatten_caffe(x)))
        return torch.softmax(self.dense6_1(x), dim=1)[:, 1], self.dense6_2(x), self.dense6_3(x)


def load_nets(weights_dir: Path, device: str | torch.device = "cpu") -> tuple[PNet, RNet, ONet]:
    """Build the three nets, load `pnet.pt`, `rnet.pt`, `onet.pt` from `weights_dir` strictly, eval mode."""
    nets = (PNet(), RNet(), ONet())
    for net, name in zip(nets, WEIGHT_FILES):
        path = Path(weights_dir) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: MTCNN weight file missing (see sphere.align.mtcnn_weights)")
        state = torch.load(path, map_location="cpu", weights_only=True)
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as err:
            raise InputError(f"{path}: not a {type(net).__name__} state dict: {err}") from err
        net.to(device).eval().requires_grad_(False)
    return nets
