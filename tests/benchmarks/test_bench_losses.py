"""Benchmark: forward + backward of every registered loss head (docs/paper.md §1 and §3, paper Eq. 7 for A-Softmax).

A batch of 256 512-d FC1 features over 2,000 classes: the released setting (batch 256, 512-d,
CASIA-WebFace's 10,572 classes) with the class count cut to keep CPU runs short. Heads that mine pairs
(contrastive, triplet) get P x K batches (64 identities x 4 faces), as the trainer gives them.

In a normal test run (`--benchmark-disable` in addopts) each case runs once and its assertions hold.
For figures:  pytest tests/benchmarks --benchmark-enable
(add `--benchmark-columns=mean,stddev,rounds` for a short table, `--benchmark-json=FILE` to keep them).
"""

from __future__ import annotations

import pytest
import torch

from sphere.losses import HEADS, create_head

BATCH, DIM, CLASSES, PER_IDENTITY = 256, 512, 2000, 4


def batch_for(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(BATCH, DIM, generator=generator).mul_(5).requires_grad_()
    if HEADS[name].needs_pairs:
        identities = torch.randperm(CLASSES, generator=generator)[: BATCH // PER_IDENTITY]
        labels = identities.repeat_interleave(PER_IDENTITY)
    else:
        labels = torch.randint(0, CLASSES, (BATCH,), generator=generator)
    return features, labels


@pytest.mark.parametrize("name", sorted(HEADS))
def test_loss_forward_backward(benchmark, name):
    torch.manual_seed(0)
    head = create_head(name, DIM, CLASSES)
    head.set_iteration(1000)  # annealing heads mid-schedule, not at their softmax-like start
    features, labels = batch_for(name)

    def step() -> torch.Tensor:
        features.grad = None
        head.zero_grad(set_to_none=True)
        out = head(features, labels)
        out.loss.backward()
        return out.loss.detach()

    loss = benchmark(step)
    benchmark.extra_info["images_per_call"] = BATCH
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert features.grad is not None and features.grad.shape == (BATCH, DIM)
    assert torch.isfinite(features.grad).all() and features.grad.abs().sum() > 0
    for p in head.parameters():
        if p.requires_grad and p.grad is not None:
            assert torch.isfinite(p.grad).all()
