"""A-Softmax (docs/paper.md §1, paper Eq. 7): psi, annealing, value against loops, gradients, external oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from pytorch_metric_learning.losses import SphereFaceLoss
from torch.func import functional_call

from sphere.losses import create_head
from sphere.losses.asoftmax import LambdaSchedule, psi
from tests.losses import reference


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_psi_matches_piecewise_formula(m):
    theta = np.linspace(0, np.pi, 2001)
    ours = psi(torch.tensor(np.cos(theta)), m).numpy()
    np.testing.assert_allclose(ours, reference.psi_array(np.arccos(np.cos(theta)), m), atol=1e-9)


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_psi_continuous_and_decreasing(m):
    for k in range(1, m):
        edge = k * math.pi / m
        sides = torch.tensor([math.cos(edge - 1e-7), math.cos(edge + 1e-7)], dtype=torch.float64)
        left, right = psi(sides, m)
        assert abs(left - right) < 1e-6
    values = psi(torch.tensor(np.cos(np.linspace(0, np.pi, 5001))), m).numpy()
    assert np.all(np.diff(values) < 0)
    assert values[0] == pytest.approx(1.0) and values[-1] == pytest.approx(1 - 2 * m)


def test_psi_rejects_unsupported_m():
    with pytest.raises(ValueError, match="margin m"):
        create_head("asoftmax", 5, 3, m=7)


def test_lambda_schedule():
    schedule = LambdaSchedule()
    assert schedule(0) == 1000.0
    assert schedule(100) == pytest.approx(1000 / 13)
    # 1000 / (1 + 0.12 i) = 5  <=>  i = 199 / 0.12 = 1658.33: first iteration at lambda_min is 1659
    assert schedule(1658) > 5.0
    assert schedule(1659) == 5.0
    assert min(schedule(i) for i in range(0, 50_000, 7)) == 5.0


@pytest.mark.parametrize("iteration", [0, 300, 100_000])
def test_m1_is_modified_softmax(iteration):
    x, y = reference.batch()
    head = create_head("asoftmax", 5, 3, m=1).double()
    head.set_iteration(iteration)
    w = head.weight.detach()
    logits = x @ (w / w.norm(dim=1, keepdim=True)).t()  # ||x|| cos(theta_j), unit class weights
    expected = torch.nn.functional.cross_entropy(logits, y)
    assert head(x, y).loss.item() == pytest.approx(expected.item(), rel=1e-12)


@pytest.mark.parametrize("iteration", [0, 500, 1659, 20_000])
def test_value_matches_loops(iteration):
    x, y = reference.batch(1)
    head = create_head("asoftmax", 5, 3).double()
    head.set_iteration(iteration)
    out = head(x, y)
    lam = LambdaSchedule()(iteration)
    assert out.log["lambda"] == lam
    assert out.loss.item() == pytest.approx(reference.asoftmax(x, head.weight.detach(), y, 4, lam), rel=1e-10)


@pytest.mark.parametrize("iteration", [0, 5000])
def test_gradcheck_of_the_exact_option(iteration):
    x, y = reference.batch(2)
    head = create_head("asoftmax", 5, 3, gradient="exact", renormalise=False).double()
    head.set_iteration(iteration)
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning_at_lambda_zero():
    x, y = reference.batch(3, n=16, c=6, d=8)
    head = create_head("asoftmax", 8, 6, m=4, base=0.0, lambda_min=0.0).double()
    oracle = SphereFaceLoss(num_classes=6, embedding_size=8, margin=4, scale=1).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())  # theirs is embedding_size x num_classes
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)
