"""NormFace: s cos(theta_j) logits; value against loops, gradients, external oracle."""

from __future__ import annotations

import pytest
import torch
from pytorch_metric_learning.losses import NormalizedSoftmaxLoss
from torch.func import functional_call

from sphere.losses import create_head
from tests.losses import reference


@pytest.mark.parametrize("s", [1.0, 16.0, 30.0])
def test_value_matches_loops(s):
    x, y = reference.batch()
    head = create_head("normface", 5, 3, s=s).double()
    expected = reference.normface(x, head.weight.detach(), y, s)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_invariant_to_feature_scale():
    x, y = reference.batch(1)
    head = create_head("normface", 5, 3).double()
    assert head(7.0 * x, y).loss.item() == pytest.approx(head(x, y).loss.item(), rel=1e-12)


def test_gradcheck():
    x, y = reference.batch(2)
    head = create_head("normface", 5, 3, s=10.0).double()
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning():
    x, y = reference.batch(3, n=16, c=6, d=8)
    head = create_head("normface", 8, 6, s=20.0).double()
    oracle = NormalizedSoftmaxLoss(num_classes=6, embedding_size=8, temperature=1 / 20.0).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)


def test_rejects_nonpositive_scale():
    with pytest.raises(ValueError, match="scale"):
        create_head("normface", 5, 3, s=0.0)
