"""L-Softmax: A-Softmax with unnormalised weights, value against loops, gradients, external oracle."""
from __future__ import annotations

import math

import pytest
import torch
from pytorch_metric_learning.losses import LargeMarginSoftmaxLoss
from torch.func import functional_call

from sphere.losses import create_head
from sphere.losses.asoftmax import LambdaSchedule


def lsoftmax_reference(x, w, y, m: int, lam: float) -> float:
    """Mean cross-entropy, target logit ||W_y|| ||x|| (lam cos + psi) / (1 + lam), plain Python floats."""
    total = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        x_norm = math.sqrt(sum(v * v for v in xi))
        logits = []
        for j, wj in enumerate(w.tolist()):
            w_norm = math.sqrt(sum(v * v for v in wj))
            cos = sum(a * b for a, b in zip(xi, wj)) / (x_norm * w_norm)
            if j == yi:
                theta = math.acos(cos)
                k = min(math.floor(theta * m / math.pi), m - 1)
                cos = (lam * cos + (-1) ** k * math.cos(m * theta) - 2 * k) / (1 + lam)
            logits.append(w_norm * x_norm * cos)
        total += math.log(sum(math.exp(v) for v in logits)) - logits[yi]
    return total / len(y)


def batch(seed: int = 0, n: int = 4, c: int = 3, d: int = 5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64), torch.arange(n) % c


def head_with_uneven_norms(c: int = 3, d: int = 5, **params):
    head = create_head("lsoftmax", d, c, **params).double()
    with torch.no_grad():  # class norms far from 1 and from each other: the weight norm must matter
        head.weight.mul_(torch.linspace(0.5, 3.0, c, dtype=torch.float64)[:, None])
    return head


@pytest.mark.parametrize("iteration", [0, 800, 1659, 30_000])
def test_value_matches_loops(iteration):
    x, y = batch()
    head = head_with_uneven_norms()
    head.set_iteration(iteration)
    expected = lsoftmax_reference(x, head.weight.detach(), y, 4, LambdaSchedule()(iteration))
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_logits_are_plain_inner_products():
    x, y = batch(1)
    head = head_with_uneven_norms()
    torch.testing.assert_close(head(x, y).logits, x @ head.weight.detach().t())


def test_differs_from_asoftmax_when_weight_norms_differ():
    x, y = batch(2)
    head = head_with_uneven_norms()
    sphere = create_head("asoftmax", 5, 3).double()
    sphere.load_state_dict(head.state_dict())
    assert abs(head(x, y).loss.item() - sphere(x, y).loss.item()) > 1e-3


def test_gradcheck():
    x, y = batch(3)
    head = head_with_uneven_norms()
    head.set_iteration(2000)
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning_at_lambda_zero():
    x, y = batch(4, n=16, c=6, d=8)
    head = head_with_uneven_norms(6, 8, m=4, base=0.0, lambda_min=0.0)
    oracle = LargeMarginSoftmaxLoss(num_classes=6, embedding_size=8, margin=4, scale=1).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())  # theirs is embedding_size x num_classes
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)
