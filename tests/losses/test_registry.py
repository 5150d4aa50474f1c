"""The loss registry: errors that list the valid choices, and every registered head trains."""

from __future__ import annotations

import pytest
import torch

from sphere.losses import HEADS, create_head, head_params

PAPER_HEADS = {"softmax", "asoftmax", "lsoftmax", "center", "contrastive", "triplet"}
MODERN_HEADS = {"normface", "cosface", "arcface", "sphereface_r", "sphereface2"}


def pk_batch(p: int = 4, k: int = 3, d: int = 16, seed: int = 0):
    """P identities x K images, as the trainer samples for heads with needs_pairs."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(p * k, d, generator=g), torch.arange(p).repeat_interleave(k)


def test_all_expected_heads_are_registered():
    assert PAPER_HEADS | MODERN_HEADS <= set(HEADS)


def test_unknown_name_lists_valid_losses():
    with pytest.raises(ValueError, match="unknown loss 'sphereface'") as error:
        create_head("sphereface", 16, 4)
    for name in HEADS:
        assert name in str(error.value)


def test_unknown_parameter_lists_valid_parameters():
    with pytest.raises(ValueError, match="unknown parameter") as error:
        create_head("asoftmax", 16, 4, margin=4)
    assert "m, base, gamma, power, lambda_min" in str(error.value)
    with pytest.raises(ValueError, match="valid parameters: none"):
        create_head("softmax", 16, 4, s=30.0)


def test_head_params():
    assert head_params("cosface") == ["s", "m", "renormalise"]
    assert head_params("arcface") == ["s", "m", "gradient", "past_pi", "renormalise"]
    assert head_params("sphereface_r") == ["s", "m", "margin_type", "lw", "renormalise"]
    assert head_params("center") == ["loss_weight", "center_lr"]
    assert head_params("asoftmax") == ["m", "base", "gamma", "power", "lambda_min", "gradient", "renormalise"]
    assert head_params("lsoftmax") == ["m", "base", "gamma", "power", "lambda_min", "gradient"]


def test_pair_heads_ask_for_pk_batches():
    assert {name for name, cls in HEADS.items() if cls.needs_pairs} == {"contrastive", "triplet"}


@pytest.mark.parametrize("name", sorted(HEADS))
def test_forward_backward(name):
    x, y = pk_batch()
    x.requires_grad_()
    head = create_head(name, 16, 4)
    head.set_iteration(10)
    out = head(x, y)
    assert out.loss.ndim == 0 and torch.isfinite(out.loss)
    if out.logits is not None:
        assert out.logits.shape == (12, 4)
    out.loss.backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    for pname, param in head.named_parameters():
        assert param.grad is not None, pname
        assert torch.isfinite(param.grad).all() and param.grad.abs().sum() > 0, pname
    grouped = [p for group in head.param_groups(0.1, 5e-4) for p in group["params"]]
    assert sorted(map(id, grouped)) == sorted(id(p) for p in head.parameters())


@pytest.mark.parametrize("name", sorted(HEADS))
def test_margin_math_in_float32_under_autocast(name):
    x, y = pk_batch(seed=1)
    head = create_head(name, 16, 4)
    reference = head(x, y).loss
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = head(x.bfloat16(), y).loss
    assert loss.dtype == torch.float32
    # only the bf16 rounding of the features remains
    torch.testing.assert_close(loss, reference, rtol=0.05, atol=0.05)
