"""CosFace / AM-Softmax: s (cos(theta_y) - m); value against loops, gradients, external oracle."""

from __future__ import annotations

import pytest
import torch
from pytorch_metric_learning.losses import CosFaceLoss
from torch.func import functional_call

from sphere.losses import create_head
from tests.losses import reference


@pytest.mark.parametrize(("s", "m"), [(64.0, 0.35), (30.0, 0.2), (10.0, 0.0)])
def test_value_matches_loops(s, m):
    x, y = reference.batch()
    head = create_head("cosface", 5, 3, s=s, m=m).double()
    expected = reference.cosface(x, head.weight.detach(), y, s, m)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_logits_for_accuracy_have_no_margin():
    x, y = reference.batch(1)
    head = create_head("cosface", 5, 3).double()
    w = head.weight.detach()
    expected = 64.0 * (x / x.norm(dim=1, keepdim=True)) @ (w / w.norm(dim=1, keepdim=True)).t()
    torch.testing.assert_close(head(x, y).logits, expected)


def test_gradcheck():
    x, y = reference.batch(2)
    head = create_head("cosface", 5, 3, s=8.0).double()
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning():
    x, y = reference.batch(3, n=16, c=6, d=8)
    head = create_head("cosface", 8, 6, s=30.0, m=0.35).double()
    oracle = CosFaceLoss(num_classes=6, embedding_size=8, margin=0.35, scale=30.0).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)
