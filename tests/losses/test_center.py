"""Softmax + center loss: value against loops, gradients, and the paper's centre update (Eq. 4)."""

from __future__ import annotations

import math

import pytest
import torch
from torch.func import functional_call

from sphere.losses import create_head


def center_reference(x, w, b, centers, y, loss_weight: float) -> float:
    """CE of W x + b plus loss_weight / 2 * mean ||x - c_y||^2, plain Python floats."""
    total = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        logits = [sum(a * c for a, c in zip(xi, wj)) + bj for wj, bj in zip(w.tolist(), b.tolist())]
        total += math.log(sum(math.exp(v) for v in logits)) - logits[yi]
        total += loss_weight / 2 * sum((a - c) ** 2 for a, c in zip(xi, centers[yi].tolist()))
    return total / len(y)


def center_update_reference(x, centers, y) -> torch.Tensor:
    """delta_j = sum_{i: y_i = j} (c_j - x_i) / (1 + n_j) (Wen et al., Eq. 4)."""
    delta = torch.zeros_like(centers)
    for j in range(len(centers)):
        members = [i for i in range(len(y)) if y[i] == j]
        for i in members:
            delta[j] += (centers[j] - x[i]) / (1 + len(members))
    return delta


def batch(seed: int = 0, n: int = 6, d: int = 5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64), torch.tensor([0, 0, 0, 1, 1, 2][:n])


def make_head(loss_weight: float = 0.5, c: int = 4):
    head = create_head("center", 5, c, loss_weight=loss_weight).double()
    with torch.no_grad():
        head.fc.bias.normal_()
        head.centers.normal_()
    return head


def test_value_matches_loops():
    x, y = batch()
    head = make_head()
    expected = center_reference(x, head.fc.weight, head.fc.bias, head.centers.detach(), y, 0.5)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_gradcheck_features_and_classifier():
    x, y = batch(1)
    head = make_head()
    params = {
        "fc.weight": head.fc.weight.detach().clone().requires_grad_(),
        "fc.bias": head.fc.bias.detach().clone().requires_grad_(),
        "centers": head.centers.detach().clone(),
    }

    def loss(a, w, b):
        return functional_call(head, {**params, "fc.weight": w, "fc.bias": b}, (a, y)).loss

    x.requires_grad_()
    assert torch.autograd.gradcheck(loss, (x, params["fc.weight"], params["fc.bias"]))


@pytest.mark.parametrize("loss_weight", [0.008, 1.0])
def test_center_gradient_is_the_papers_update(loss_weight):
    x, y = batch(2)
    head = make_head(loss_weight)
    head(x, y).loss.backward()
    expected = center_update_reference(x, head.centers.detach(), y)
    torch.testing.assert_close(head.centers.grad, expected)
    assert head.centers.grad[3].abs().max() == 0  # class 3 is absent from the batch


def test_sgd_step_applies_eq4_with_center_lr():
    x, y = batch(3)
    head = create_head("center", 5, 4, center_lr=0.5).double()
    before = head.centers.detach().clone()
    groups = head.param_groups(lr=0.1, weight_decay=5e-4)
    assert groups[1]["params"] == [head.centers]
    assert groups[1]["lr"] == 0.5 and groups[1]["weight_decay"] == 0.0 and groups[1]["momentum"] == 0.0
    optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9, weight_decay=5e-4)
    head(x, y).loss.backward()
    optimizer.step()
    torch.testing.assert_close(head.centers.detach(), before - 0.5 * center_update_reference(x, before, y))


def test_defaults_and_validation():
    head = create_head("center", 5, 3)
    assert head.loss_weight == 0.008 and head.center_lr == 0.5
    with pytest.raises(ValueError, match="loss_weight"):
        create_head("center", 5, 3, loss_weight=-1.0)
