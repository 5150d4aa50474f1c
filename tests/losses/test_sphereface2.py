"""SphereFace2 (OpenSphere model/head/sphereface2.py): value against loops for the three margin types, the
detached margin's gradient, the initial bias's defining property, the stored weights renormalised in place."""

from __future__ import annotations

import math

import pytest
import torch

from sphere.losses import create_head
from tests.losses import reference

SETTINGS = dict(alpha=0.7, r=10.0, t=3.0, lw=5.0)


@pytest.mark.parametrize(("margin_type", "m"), [("C", 0.4), ("A", 0.5), ("M", 1.5)])
def test_value_matches_loops(margin_type, m):
    x, y = reference.batch(0, n=6, c=4)
    head = create_head("sphereface2", 5, 4, margin_type=margin_type, m=m, **SETTINGS).double()
    loss = head(x, y).loss.item()  # renormalises the stored weights first; the loop normalises anyway
    expected = reference.sphereface2(x, head.weight.detach(), y, head.bias.item(), margin_type, m=m, **SETTINGS)
    assert loss == pytest.approx(expected, rel=1e-10)


def test_defaults_are_opensphere_head_defaults():
    head = create_head("sphereface2", 5, 4)
    assert (head.margin_type, head.alpha, head.r, head.m, head.t, head.lw, head.renormalise) == (
        "C",
        0.7,
        40.0,
        0.4,
        3.0,
        50.0,
        True,
    )


@pytest.mark.parametrize(("margin_type", "m"), [("C", 0.4), ("A", 0.5), ("M", 1.5)])
def test_initial_bias_balances_the_loss_at_right_angles(margin_type, m):
    """At cos = 0 for every class, d loss / d b = 0 at the initial bias (the condition OpenSphere's formula solves)."""
    classes = 50
    head = create_head("sphereface2", 5, classes, margin_type=margin_type, m=m, r=30.0, alpha=0.8, t=3.0)
    g = lambda c: 2 * ((c + 1) / 2) ** 3.0 - 1  # noqa: E731
    moved = {"C": None, "A": math.pi / 2 + m, "M": m * math.pi / 2}[margin_type]
    z_y = g(0.0) - m if margin_type == "C" else g(math.cos(min(math.pi, moved)))
    z_i = g(0.0) + m if margin_type == "C" else g(0.0)

    def per_sample(b: float) -> float:
        return 0.8 * math.log1p(math.exp(-(30 * z_y + b))) + 0.2 * (classes - 1) * math.log1p(math.exp(30 * z_i + b))

    b, eps = head.bias.item(), 1e-5
    slope = (per_sample(b + eps) - per_sample(b - eps)) / (2 * eps)
    assert abs(slope) < 1e-6 * max(1.0, abs(per_sample(b)))
    assert abs(per_sample(b + 0.5) - per_sample(b - 0.5)) > 1e-3  # not flat: the zero is a real balance point


def test_gradient_is_that_of_r_cos_plus_b():
    """The margin is detached: autograd equals finite differences of the loop loss with the margin frozen."""
    x, y = reference.batch(2, n=4, c=3)
    head = create_head("sphereface2", 5, 3, renormalise=False, **SETTINGS).double()
    head(x, y).loss.backward()
    w, b = head.weight.detach().clone(), head.bias.item()
    unit = torch.nn.functional.normalize
    cos = unit(x, dim=1) @ unit(w, dim=1).t()
    target = torch.nn.functional.one_hot(y, 3).bool()
    z = 2 * ((cos + 1) / 2) ** 3.0 - 1 + torch.where(target, -0.4, 0.4).double()
    offsets = z - cos

    def frozen(t):
        c = unit(x, dim=1) @ unit(t, dim=1).t()
        logits = 10.0 * (c + offsets) + b
        weights = torch.where(target, 0.7, 0.3).double() * 5.0 * 3 / 10.0
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, target.double(), weight=weights).item()

    torch.testing.assert_close(head.weight.grad, reference.central_differences(frozen, w))


def test_stored_weights_are_renormalised_in_place():
    head = create_head("sphereface2", 5, 3)
    with torch.no_grad():
        head.weight.mul_(3.0)
    x, y = reference.batch(3)
    head(x.float(), y)
    torch.testing.assert_close(head.weight.norm(dim=1), torch.ones(3))


def test_rejects_bad_settings():
    with pytest.raises(ValueError, match="alpha: 1.0 is not allowed"):
        create_head("sphereface2", 5, 3, alpha=1.0)
    with pytest.raises(ValueError, match="margin_type: 'B' is not allowed"):
        create_head("sphereface2", 5, 3, margin_type="B")
    with pytest.raises(ValueError, match="2 classes"):
        create_head("sphereface2", 5, 1)
