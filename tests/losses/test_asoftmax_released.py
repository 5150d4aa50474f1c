"""The released A-Softmax layer (margin_inner_product_layer.cpp): in-place unit weights and its gradient.

The reference gradient is re-derived here without the head's code: autograd of the plain target logit
f(x) = ||x|| psi(cos theta) in float64 gives the exact gradient, which is split into its components along
W_y and x by least squares; the released layer rescales that coefficient pair to unit length.
"""

from __future__ import annotations

import pytest
import torch

from sphere.losses import create_head
from tests.losses import reference


def released_feature_gradient(x, w, y, g, m, lam):
    """dL/dx as the released Backward forms it, from autograd of the plain formula and a 2-d decomposition."""
    rows = []
    for i in range(len(x)):
        xi = x[i].clone().requires_grad_()
        wy = w[y[i]]
        f = xi.norm() * reference.psi_torch(xi @ wy / xi.norm(), m)
        (exact,) = torch.autograd.grad(f, xi)
        basis = torch.stack([wy, x[i]], 1)  # D x 2: exact = c_w W_y + c_x x
        coeff = torch.linalg.lstsq(basis, exact[:, None]).solution[:, 0]
        assert torch.allclose(basis @ coeff, exact, atol=1e-10)  # the gradient lies in span(W_y, x)
        coeff = coeff / coeff.norm()
        target = (lam * wy + coeff[0] * wy + coeff[1] * x[i]) / (1 + lam)
        others = sum(g[i, j] * w[j] for j in range(len(w)) if j != y[i])
        rows.append(others + g[i, y[i]] * target)
    return torch.stack(rows)


def setup(seed=0, n=6, c=4, d=5):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    return x, torch.arange(n) % c


@pytest.mark.parametrize("m", [1, 2, 3, 4])
@pytest.mark.parametrize("iteration", [1, 200, 5000])
def test_released_gradient_matches_the_layers_formula(m, iteration):
    x, y = setup(m)
    head = create_head("asoftmax", 5, 4, m=m).double()
    head.set_iteration(iteration)
    x.requires_grad_()
    out = head(x, y)
    out.loss.backward()
    w = head.weight.detach()
    lam = head.schedule(iteration)
    # dL/dlogits of the mean cross-entropy, from the logits the layer produced
    logits = out.logits.detach().clone()
    x_norm = x.detach().norm(dim=1)
    cos_y = (logits.gather(1, y[:, None])[:, 0] / x_norm).clamp(-1, 1)
    logits[torch.arange(len(y)), y] = x_norm * (lam * cos_y + reference.psi_torch(cos_y, m)) / (1 + lam)
    g = (torch.softmax(logits, 1) - torch.nn.functional.one_hot(y, 4)) / len(y)
    expected = released_feature_gradient(x.detach(), w, y, g, m, lam)
    assert torch.allclose(x.grad, expected, atol=1e-10)
    # the class weights get the gradient of a plain inner product: g^T x
    assert torch.allclose(head.weight.grad, g.t() @ x.detach(), atol=1e-10)


def test_released_gradient_differs_from_the_exact_one():
    x, y = setup(7)
    grads = {}
    for gradient in ("released", "exact"):
        head = create_head("asoftmax", 5, 4, m=4, gradient=gradient).double()
        torch.manual_seed(0)
        head.weight.data = torch.randn(4, 5, dtype=torch.float64)
        head.set_iteration(5000)
        xi = x.clone().requires_grad_()
        loss = head(xi, y).loss
        loss.backward()
        grads[gradient] = (loss.item(), xi.grad)
    assert grads["released"][0] == pytest.approx(grads["exact"][0], rel=1e-12)  # same forward
    assert not torch.allclose(grads["released"][1], grads["exact"][1], atol=1e-4)


def test_stored_class_weights_are_renormalised_in_place():
    x, y = setup(3)
    head = create_head("asoftmax", 5, 4).double()
    with torch.no_grad():
        head.weight.mul_(torch.tensor([[0.5], [2.0], [3.0], [0.1]], dtype=torch.float64))
    head(x, y)
    assert torch.allclose(head.weight.detach().norm(dim=1), torch.ones(4, dtype=torch.float64))
    raw = create_head("asoftmax", 5, 4, gradient="exact", renormalise=False).double()
    with torch.no_grad():
        raw.weight.mul_(3.0)
    before = raw.weight.detach().clone()
    raw(x, y)
    assert torch.equal(raw.weight.detach(), before)  # the departure keeps raw weights


@pytest.mark.parametrize("params", [{"m": 5}, {"gradient": "bogus"}, {"renormalise": False}])
def test_released_gradient_refuses_what_the_layer_cannot_do(params):
    with pytest.raises(ValueError, match="gradient|renormalise"):
        create_head("asoftmax", 5, 4, **params)


def test_lsoftmax_has_no_released_gradient():
    with pytest.raises(ValueError, match="lsoftmax"):
        create_head("lsoftmax", 5, 4, gradient="released")
