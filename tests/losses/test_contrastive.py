"""Softmax + contrastive: value against loops over pairs, gradients, batches without positives."""

from __future__ import annotations

import math

import pytest
import torch
from torch.func import functional_call

from sphere.losses import create_head


def contrastive_reference(x, w, b, y, loss_weight: float, margin: float) -> float:
    n = len(y)
    ce = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        logits = [sum(a * c for a, c in zip(xi, wj)) + bj for wj, bj in zip(w.tolist(), b.tolist())]
        ce += math.log(sum(math.exp(v) for v in logits)) - logits[yi]
    unit = [[v / math.sqrt(sum(u * u for u in xi)) for v in xi] for xi in x.tolist()]
    positives, negatives = [], []
    for i in range(n):
        for j in range(i + 1, n):
            dist = math.sqrt(sum((a - c) ** 2 for a, c in zip(unit[i], unit[j])))
            if y[i] == y[j]:
                positives.append(dist**2)
            else:
                negatives.append(max(0.0, margin - dist) ** 2)
    pos = sum(positives) / len(positives) if positives else 0.0
    neg = sum(negatives) / len(negatives) if negatives else 0.0
    return ce / n + loss_weight * 0.5 * (pos + neg)


def batch(seed: int = 0, labels=(0, 0, 1, 1, 2, 2), d: int = 5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(len(labels), d, generator=g, dtype=torch.float64), torch.tensor(labels)


def make_head(**params):
    head = create_head("contrastive", 5, 3, **params).double()
    with torch.no_grad():
        head.fc.bias.normal_()
    return head


@pytest.mark.parametrize(("loss_weight", "margin"), [(1.0, 1.0), (0.3, 1.6)])
def test_value_matches_loops(loss_weight, margin):
    x, y = batch()
    head = make_head(loss_weight=loss_weight, margin=margin)
    expected = contrastive_reference(x, head.fc.weight, head.fc.bias, y, loss_weight, margin)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("labels", [(0, 1, 2, 0), (1, 1, 1, 1)])
def test_value_without_positives_or_negatives(labels):
    x, y = batch(1, labels)
    head = make_head(margin=1.8)
    expected = contrastive_reference(x, head.fc.weight, head.fc.bias, y, 1.0, 1.8)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_gradcheck():
    x, y = batch(2)
    head = make_head(margin=1.6)  # margin above most distances: the hinge is active
    w = head.fc.weight.detach().clone().requires_grad_()
    b = head.fc.bias.detach().clone().requires_grad_()
    x.requires_grad_()

    def loss(a, ww, bb):
        return functional_call(head, {"fc.weight": ww, "fc.bias": bb}, (a, y)).loss

    assert torch.autograd.gradcheck(loss, (x, w, b))


def test_identical_negative_features_have_finite_gradients():
    x, y = batch(3, (0, 1, 0, 1))
    x = x.detach().clone()
    x[1] = x[0]
    x.requires_grad_()
    head = make_head()
    head(x, y).loss.backward()
    assert torch.isfinite(x.grad).all()
