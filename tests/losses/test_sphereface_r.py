"""SphereFace-R: value s psi(theta_y) with non-integer m, gradient of s cos(theta_y) (detached margin)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sphere.losses import create_head
from sphere.losses.asoftmax import psi
from sphere.losses.sphereface_r import psi_r
from tests.losses import reference
from tests.losses.reference import central_differences


def test_psi_r_shape_for_m_1_5():
    theta = np.linspace(0, np.pi, 3001)
    values = psi_r(torch.tensor(np.cos(theta)), 1.5).numpy()
    expected = [reference.psi(c, 1.5) for c in np.clip(np.cos(theta), -1, 1)]
    np.testing.assert_allclose(values, expected, atol=1e-9)
    assert np.all(np.diff(values) < 0)
    edge = math.pi / 1.5
    pair = psi_r(torch.tensor([math.cos(edge - 1e-7), math.cos(edge + 1e-7)], dtype=torch.float64), 1.5)
    assert abs(pair[0] - pair[1]) < 1e-6
    assert values[0] == pytest.approx(1.0) and values[-1] == pytest.approx(-2.0)


def test_psi_r_equals_asoftmax_psi_for_integer_m():
    cos = torch.tensor(np.cos(np.linspace(0.001, np.pi - 0.001, 500)))
    torch.testing.assert_close(psi_r(cos, 4.0), psi(cos, 4))


@pytest.mark.parametrize("m", [1.0, 1.5, 1.7])
def test_value_matches_loops(m):
    x, y = reference.batch()
    head = create_head("sphereface_r", 5, 3, m=m).double()
    expected = reference.sphereface_r(x, head.weight.detach(), y, 30.0, m=m)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_gradient_is_that_of_the_detached_margin():
    """Autograd of the head = finite differences of the loop loss with the margin offsets frozen."""
    x, y = reference.batch(1)
    head = create_head("sphereface_r", 5, 3, s=4.0).double()
    w = head.weight.detach().clone()
    cos_y = [torch.nn.functional.cosine_similarity(x[i], w[y[i]], dim=0).item() for i in range(len(y))]
    offsets = [reference.psi(c, 1.5) - c for c in cos_y]
    assert max(abs(d) for d in offsets) > 0.05  # the margin is active

    xg = x.clone().requires_grad_()
    head(xg, y).loss.backward()
    frozen_x = central_differences(lambda t: reference.sphereface_r(t, w, y, 4.0, offsets), x)
    frozen_w = central_differences(lambda t: reference.sphereface_r(x, t, y, 4.0, offsets), w)
    torch.testing.assert_close(xg.grad, frozen_x)
    torch.testing.assert_close(head.weight.grad, frozen_w)
    # and it is not the gradient of the loss value itself (the margin term carries none)
    true_grad = central_differences(lambda t: reference.sphereface_r(t, w, y, 4.0), x)
    assert (xg.grad - true_grad).abs().max() > 1e-3


def test_rejects_margin_below_one():
    with pytest.raises(ValueError, match="margin"):
        create_head("sphereface_r", 5, 3, m=0.5)


@pytest.mark.parametrize(
    ("margin_type", "loop"), [("v1", reference.sphereface_r_v1), ("v2", reference.sphereface_r_v2)]
)
@pytest.mark.parametrize("m", [1.4, 1.7])
def test_opensphere_margin_types_match_loops(margin_type, loop, m):
    """OpenSphere's SphereFaceR_H magn_type v1 / v2 (model/head/spherefacer.py)."""
    x, y = reference.batch(4, n=6)
    head = create_head("sphereface_r", 5, 3, s=20.0, m=m, margin_type=margin_type).double()
    expected = loop(x, head.weight.detach(), y, 20.0, m)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_v2_gradient_is_that_of_s_cos():
    """v2 moves the non-target logits, detached: the gradient is that of the loss with the offsets frozen."""
    x, y = reference.batch(5)
    head = create_head("sphereface_r", 5, 3, s=8.0, m=1.4, margin_type="v2").double()
    head(x, y).loss.backward()
    w = head.weight.detach()
    cos = torch.nn.functional.normalize(x, dim=1) @ torch.nn.functional.normalize(w, dim=1).t()
    offsets = torch.cos(torch.acos(cos) / 1.4) - cos
    offsets[torch.arange(len(y)), y] = 0.0

    def frozen(t):  # s (cos + offset) for every class, offsets fixed
        c = torch.nn.functional.normalize(x, dim=1) @ torch.nn.functional.normalize(t, dim=1).t()
        return torch.nn.functional.cross_entropy(8.0 * (c + offsets), y).item()

    torch.testing.assert_close(head.weight.grad, central_differences(frozen, w.clone()))


def test_loss_weight_is_lw_over_s():
    """OpenSphere's SphereFaceR_H: loss = lw * CE / s (lw 50, s 30: 5/3 of the plain loss)."""
    x, y = reference.batch(6)
    plain = create_head("sphereface_r", 5, 3).double()
    weighted = create_head("sphereface_r", 5, 3, lw=50.0).double()
    weighted.load_state_dict(plain.state_dict())
    assert weighted(x, y).loss.item() == pytest.approx(plain(x, y).loss.item() * 50.0 / 30.0, rel=1e-12)


def test_default_is_todays_v0():
    x, y = reference.batch(7)
    default = create_head("sphereface_r", 5, 3).double()
    v0 = create_head("sphereface_r", 5, 3, margin_type="v0").double()
    v0.load_state_dict(default.state_dict())
    assert torch.equal(default(x, y).loss, v0(x, y).loss)
