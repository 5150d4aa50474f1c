"""ArcFace: s cos(theta_y + m) with the insightface fallback past theta = pi - m."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from pytorch_metric_learning.losses import ArcFaceLoss
from torch.func import functional_call

from sphere.losses import create_head
from tests.losses import reference


def test_target_on_both_sides_of_the_fallback():
    m = 0.5
    head = create_head("arcface", 5, 3, m=m).double()
    theta = np.linspace(0.01, np.pi - 0.01, 400)
    ours = head.target(torch.tensor(np.cos(theta))[:, None])[:, 0].numpy()
    expected = np.where(theta + m <= np.pi, np.cos(theta + m), np.cos(theta) - m * np.sin(m))
    np.testing.assert_allclose(ours, expected, atol=1e-9)
    assert (theta + m > np.pi).sum() > 10  # the fallback branch was exercised


def test_value_matches_loops_including_fallback():
    x, y = reference.batch()
    head = create_head("arcface", 5, 3, s=16.0, m=0.5).double()
    w = head.weight.detach()
    x[0] = -3.0 * w[y[0]] + 0.05 * x[0]  # theta_y close to pi: the fallback branch
    cos0 = torch.nn.functional.cosine_similarity(x[0], w[y[0]], dim=0).item()
    assert math.acos(cos0) > math.pi - 0.5
    assert head(x, y).loss.item() == pytest.approx(reference.arcface(x, w, y, 16.0, 0.5), rel=1e-10)


def test_gradcheck():
    x, y = reference.batch(2)
    head = create_head("arcface", 5, 3, s=8.0, m=0.5).double()
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning():
    x, y = reference.batch(3, n=16, c=6, d=8)
    head = create_head("arcface", 8, 6, s=64.0, m=0.5).double()
    oracle = ArcFaceLoss(num_classes=6, embedding_size=8, margin=math.degrees(0.5), scale=64.0).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-9)


def test_finite_gradient_when_feature_equals_its_class_weight():
    head = create_head("arcface", 5, 3)
    x = head.weight.detach()[:2].clone().requires_grad_()
    head(x, torch.tensor([0, 1])).loss.backward()
    assert torch.isfinite(x.grad).all() and torch.isfinite(head.weight.grad).all()
