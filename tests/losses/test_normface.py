"""NormFace: s cos(theta_j) logits; value against loops, gradients, external oracle."""

from __future__ import annotations

import pytest
import torch
from pytorch_metric_learning.losses import NormalizedSoftmaxLoss
from torch.func import functional_call

from sphere.losses import create_head
from tests.losses import reference


@pytest.mark.parametrize("s", [1.0, 16.0, 30.0])
def test_value_matches_loops(s):
    x, y = reference.batch()
    head = create_head("normface", 5, 3, s=s).double()
    expected = reference.normface(x, head.weight.detach(), y, s)
    assert head(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_invariant_to_feature_scale():
    x, y = reference.batch(1)
    head = create_head("normface", 5, 3).double()
    assert head(7.0 * x, y).loss.item() == pytest.approx(head(x, y).loss.item(), rel=1e-12)


def test_gradcheck():
    x, y = reference.batch(2)
    head = create_head("normface", 5, 3, s=10.0).double()
    w = head.weight.detach().clone().requires_grad_()
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: functional_call(head, {"weight": b}, (a, y)).loss, (x, w))


def test_matches_pytorch_metric_learning():
    x, y = reference.batch(3, n=16, c=6, d=8)
    head = create_head("normface", 8, 6, s=20.0).double()
    oracle = NormalizedSoftmaxLoss(num_classes=6, embedding_size=8, temperature=1 / 20.0).double()
    with torch.no_grad():
        oracle.W.copy_(head.weight.t())
    assert head(x, y).loss.item() == pytest.approx(oracle(x, y).item(), rel=1e-10)


def test_rejects_nonpositive_scale():
    with pytest.raises(ValueError, match="scale"):
        create_head("normface", 5, 3, s=0.0)


@pytest.mark.parametrize("name", ["normface", "cosface", "arcface", "sphereface_r"])
def test_renormalise_keeps_the_value_and_makes_stored_weights_unit(name):
    x, y = reference.batch(4)
    graph = create_head(name, 5, 3).double()
    stored = create_head(name, 5, 3, renormalise=True).double()
    with torch.no_grad():
        graph.weight.mul_(2.5)
    stored.load_state_dict(graph.state_dict())
    before = graph.weight.detach().clone()
    assert stored(x, y).loss.item() == pytest.approx(graph(x, y).loss.item(), rel=1e-12)
    torch.testing.assert_close(stored.weight.norm(dim=1), torch.ones(3, dtype=torch.float64))
    assert torch.equal(graph.weight, before) and before.norm(dim=1).max() > 1.5  # the default leaves them alone


def test_renormalise_gradient_is_not_projected():
    """With in-place unit weights used as they are (OpenSphere), d loss / d W is the gradient of
    s x_hat . W_j at unit W: finite differences of the loop loss with the weight's norm kept in the logit."""
    x, y = reference.batch(5)
    head = create_head("normface", 5, 3, s=6.0, renormalise=True).double()
    head(x, y)  # the first forward makes the stored weights unit
    head.zero_grad()
    head(x, y).loss.backward()
    w = head.weight.detach().clone()

    def unnormalised(t):
        return reference.margin_cross_entropy(x, t, y, lambda i, j, tgt, cos, xn, wn: 6.0 * cos * wn)

    torch.testing.assert_close(head.weight.grad, reference.central_differences(unnormalised, w))
    graph = create_head("normface", 5, 3, s=6.0).double()
    graph.load_state_dict(head.state_dict())
    graph(x, y).loss.backward()
    assert (graph.weight.grad - head.weight.grad).abs().max() > 1e-3  # in-graph normalisation projects it
