"""L-Softmax: A-Softmax with unnormalised weights, value against loops, gradients, external oracle."""

from __future__ import annotations

import pytest
import torch
from pytorch_metric_learning.losses import LargeMarginSoftmaxLoss
from torch.func import functional_call

from sphere.losses import create_head
from sphere.losses.asoftmax import LambdaSchedule
from tests.losses import reference


def head_with_uneven_norms(c: int = 3, d: int = 5, **params):
    head = create_head("lsoftmax", d, c, **params).double()
    with torch.no_grad():  # class norms far from 1 and from each other: the weight norm must matter
        head.weight.mul_(torch.linspace(0.5, 3.0, c, dtype=torch.float64)[:, None])
    return head


@pytest.mark.parametrize("iteration", [0, 800, 1659, 30_000])
def test_value_matches_loops(iteration):
    x, y = reference.batch()
    head = head_with_uneven_norms()
    head.set_iteration(iteration)
    expected = reference.lsoftmax(x, head.weight.detach(), y, 4, LambdaSchedule()(iteration))
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_logits_are_plain_inner_products():
    x, y = reference.batch(1)
    head = head_with_uneven_norms()
    torch.testing.assert_close(head(x, y).logits, x @ head.weight.detach().t())


def test_differs_from_asoftmax_when_weight_norms_differ():
    x, y = reference.batch(2)
    head = head_with_uneven_norms()
    sphere = create_head("asoftmax", 5, 3).double()
    sphere.load_state_dict(head.state_dict())
    assert abs(head(x, y).loss.item() - sphere(x, y).loss.item()) > 1e-3


def test_gradcheck():
    x, y = reference.batch(3)
    head = head_with_uneven_norms()
    head.set_iteration(2000)
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning_at_lambda_zero():
    x, y = reference.batch(4, n=16, c=6, d=8)
    head = head_with_uneven_norms(6, 8, m=4, base=0.0, lambda_min=0.0)
    oracle = LargeMarginSoftmaxLoss(num_classes=6, embedding_size=8, margin=4, scale=1).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())  # theirs is embedding_size x num_classes
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)
