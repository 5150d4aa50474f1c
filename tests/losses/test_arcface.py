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
from tests.losses.reference import central_differences


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


@pytest.mark.parametrize("past_pi", ["fallback", "periodic", "clamp"])
def test_past_pi_rules_match_their_formula(past_pi):
    """insightface before Dec 2022 (fallback), insightface since (periodic), OpenSphere (clamp): docs/fidelity.md."""
    m = 0.5
    head = create_head("arcface", 5, 3, m=m, past_pi=past_pi).double()
    theta = np.linspace(0.01, np.pi - 0.01, 400)
    ours = head.target(torch.tensor(np.cos(theta))[:, None])[:, 0].numpy()
    expected = [reference.arc_target(math.cos(t), m, past_pi) for t in theta]
    np.testing.assert_allclose(ours, expected, atol=1e-9)
    past = theta + m > np.pi
    if past_pi == "periodic":  # rises again towards cos(m) at theta = pi
        assert np.all(np.diff(ours[past]) > 0)
    if past_pi == "clamp":
        assert np.all(ours[past] == -1.0)


@pytest.mark.parametrize("past_pi", ["periodic", "clamp"])
def test_value_matches_loops_past_pi(past_pi):
    x, y = reference.batch()
    head = create_head("arcface", 5, 3, s=16.0, m=0.5, past_pi=past_pi).double()
    w = head.weight.detach()
    x[0] = -3.0 * w[y[0]] + 0.05 * x[0]  # theta_y close to pi
    expected = reference.arcface(x, w, y, 16.0, 0.5, past_pi)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_detached_gradient_is_that_of_s_cos():
    """gradient="detached": same value, gradient of the loop loss with the margin offsets frozen (insightface
    since Dec 2022, OpenSphere)."""
    x, y = reference.batch(1)
    exact = create_head("arcface", 5, 3, s=4.0).double()
    head = create_head("arcface", 5, 3, s=4.0, gradient="detached").double()
    head.load_state_dict(exact.state_dict())
    w = head.weight.detach().clone()
    cos_y = [torch.nn.functional.cosine_similarity(x[i], w[y[i]], dim=0).item() for i in range(len(y))]
    offsets = [reference.arc_target(c, 0.5) - c for c in cos_y]

    xg = x.clone().requires_grad_()
    loss = head(xg, y).loss
    assert loss.item() == pytest.approx(exact(x, y).loss.item(), rel=1e-12)
    loss.backward()
    frozen_x = central_differences(lambda t: reference.sphereface_r(t, w, y, 4.0, offsets), x)
    frozen_w = central_differences(lambda t: reference.sphereface_r(x, t, y, 4.0, offsets), w)
    torch.testing.assert_close(xg.grad, frozen_x)
    torch.testing.assert_close(head.weight.grad, frozen_w)
    xe = x.clone().requires_grad_()
    exact(xe, y).loss.backward()
    assert (xe.grad - xg.grad).abs().max() > 1e-3  # the exact gradient differs


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match="past_pi: 'wrap' is not allowed; arcface parameter past_pi takes one of"):
        create_head("arcface", 5, 3, past_pi="wrap")
