"""FLOPs of one training step, counted by `torch.utils.flop_counter.FlopCounterMode`.

The network is counted on the meta device (no arithmetic is done), the A-Softmax head (which needs
autocast, absent on meta) on CPU tensors, both for a batch of 2 scaled linearly to the batch: every
counted op (convolutions, matmuls, their backward) is linear in the batch. Elementwise work (PReLU,
normalisation, the margin polynomial, SGD) is not counted, so achieved TFLOP/s are a lower bound.
A multiply-add counts as 2 FLOPs; so counted, SphereFace-20's forward is the paper's 3.5 GFLOPs.
"""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from sphere.losses import create_head
from sphere.models import create_model

COUNT_BATCH = 2


def _count(model_name: str, width: float, classes: int, crop: tuple[int, int], m: int, device: str) -> tuple[int, int]:
    """(forward, backward) FLOPs of network (on `device`) and head (on the CPU) for COUNT_BATCH images."""
    model = create_model(model_name, width=width, feature_dim=512, input_size=crop).to(device)
    head = create_head("asoftmax", 512, classes, m=m)
    x = torch.randn(COUNT_BATCH, 3, *crop, device=device)
    features = torch.randn(COUNT_BATCH, 512, requires_grad=True)
    y = torch.arange(COUNT_BATCH) % classes
    with FlopCounterMode(display=False) as forward:
        out = model(x)
        loss = head(features, y).loss
    with FlopCounterMode(display=False) as backward:
        out.backward(torch.ones_like(out))
        loss.backward()
    return forward.get_total_flops(), backward.get_total_flops()


def step_flops(model_name: str, width: float, classes: int, crop: tuple[int, int], batch: int, m: int = 4) -> dict:
    """Counted FLOPs per image (forward, backward) and per training step of `batch` images."""
    try:
        fwd, bwd = _count(model_name, width, classes, crop, m, "meta")
        where = "meta"
    except Exception:  # noqa: BLE001  (an op without a meta kernel: count on real CPU tensors)
        fwd, bwd = _count(model_name, width, classes, crop, m, "cpu")
        where = "cpu"
    per_image_fwd, per_image_bwd = fwd / COUNT_BATCH, bwd / COUNT_BATCH
    return {
        "model": model_name,
        "width": width,
        "classes": classes,
        "crop": list(crop),
        "batch": batch,
        "forward_gflop_per_image": per_image_fwd / 1e9,
        "backward_gflop_per_image": per_image_bwd / 1e9,
        "step_tflop": (per_image_fwd + per_image_bwd) * batch / 1e12,
        "forward_gmac_per_image": per_image_fwd / 2e9,
        "method": f"torch.utils.flop_counter.FlopCounterMode on {where} tensors, batch {COUNT_BATCH} "
        "scaled to the batch; conv + matmul only",
    }
