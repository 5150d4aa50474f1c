"""Triplet loss with semi-hard mining: value against brute force, gradients, batches with no triplet."""

from __future__ import annotations

import math

import pytest
import torch

from sphere.losses import create_head


def triplet_reference(x, y, margin: float) -> float:
    """Mean over anchor-positive pairs with a negative of max(0, D_ap - D_an + margin), where D_an is the
    closest negative beyond the positive, else the farthest negative. Squared distances of unit vectors."""
    unit = [[v / math.sqrt(sum(u * u for u in xi)) for v in xi] for xi in x.tolist()]
    labels = y.tolist()

    def dist(i, j):
        return sum((a - b) ** 2 for a, b in zip(unit[i], unit[j]))

    losses = []
    for a in range(len(labels)):
        for p in range(len(labels)):
            if p == a or labels[p] != labels[a]:
                continue
            negatives = [dist(a, n) for n in range(len(labels)) if labels[n] != labels[a]]
            if not negatives:
                continue
            beyond = [d for d in negatives if d > dist(a, p)]
            d_an = min(beyond) if beyond else max(negatives)
            losses.append(max(0.0, dist(a, p) - d_an + margin))
    return sum(losses) / len(losses) if losses else 0.0


def batch(seed: int = 0, labels=(0, 0, 0, 1, 1, 2, 2, 3), d: int = 5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(len(labels), d, generator=g, dtype=torch.float64), torch.tensor(labels)


@pytest.mark.parametrize(("seed", "margin"), [(0, 0.2), (1, 0.2), (2, 1.0)])
def test_value_matches_brute_force(seed, margin):
    x, y = batch(seed)
    head = create_head("triplet", 5, 4, margin=margin)
    expected = triplet_reference(x, y, margin)
    assert expected > 0
    out = head(x, y)
    assert out.logits is None
    assert out.loss.item() == pytest.approx(expected, rel=1e-10)


def test_semi_hard_choice_on_a_circle():
    # unit vectors at angles (degrees); anchor 0 and positive at 40 degrees; negatives at 30, 50, 90
    angles = torch.tensor([0.0, 40.0, 30.0, 50.0, 90.0], dtype=torch.float64) * math.pi / 180
    x = torch.stack([angles.cos(), angles.sin()], dim=1)
    y = torch.tensor([0, 0, 1, 2, 3])
    d = lambda deg: 2 - 2 * math.cos(math.radians(deg))  # noqa: E731
    # (0, 1): D_ap = d(40); the semi-hard negative is at 50 degrees, not the harder one at 30
    # (1, 0): D_ap = d(40); negatives at 10, 10, 50 degrees from it: the semi-hard one is at 50
    expected = d(40) - d(50) + 0.5  # both pairs; the hardest negative would give d(40) - d(10 or 30) + 0.5
    assert expected > 0
    assert create_head("triplet", 2, 4, margin=0.5)(x, y).loss.item() == pytest.approx(expected, rel=1e-10)


def test_gradcheck():
    x, y = batch(3)
    head = create_head("triplet", 5, 4, margin=1.0)
    x.requires_grad_()
    assert torch.autograd.gradcheck(lambda a: head(a, y).loss, (x,))


@pytest.mark.parametrize("labels", [(0, 1, 2, 3), (5, 5, 5, 5)])
def test_no_valid_triplet_gives_zero_with_a_graph(labels):
    x, y = batch(4, labels)
    x.requires_grad_()
    loss = create_head("triplet", 5, 6)(x, y).loss
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert torch.equal(x.grad, torch.zeros_like(x))


def test_owns_no_parameters():
    head = create_head("triplet", 5, 4)
    assert head.needs_pairs and list(head.parameters()) == [] and head.param_groups(0.1, 5e-4) == []
