"""sphere.train.sgd.SGD against torch.optim.SGD: the same weights, bit for bit, and interchangeable state."""

import copy

import pytest
import torch
from torch import nn

from sphere.train.sgd import SGD


def groups_of(net: nn.Module) -> list[dict]:
    """The training loop's shapes of group: weights with decay, biases at 2x lr without, a momentum-free one."""
    first, second = net[0], net[2]
    return [
        {"params": [first.weight, second.weight], "lr": 0.1, "weight_decay": 5e-4, "base_lr": 0.1},
        {"params": [first.bias, second.bias], "lr": 0.2, "weight_decay": 0.0, "base_lr": 0.2},
        {"params": [net[1].weight], "lr": 0.5, "weight_decay": 0.0, "momentum": 0.0, "fixed_lr": True},
    ]


def make_net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 5), nn.PReLU(5), nn.Linear(5, 3))


def run(net: nn.Module, optimizer, steps: range) -> None:
    generator = torch.Generator().manual_seed(1)
    for step in range(steps.stop):
        x, y = torch.randn(8, 6, generator=generator), torch.randint(0, 3, (8,), generator=generator)
        if step not in steps:
            continue
        for group in optimizer.param_groups:  # a step decay at step 4, as the loop's schedule does
            if not group.get("fixed_lr"):
                group["lr"] = group["base_lr"] * (0.1 if step >= 4 else 1.0)
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        if step == 0:  # a parameter without a gradient on the first step starts its buffer later
            net[2].bias.grad = None
        optimizer.step()


def test_same_weights_as_torch_optim_sgd_bit_for_bit() -> None:
    ours, theirs = make_net(), make_net()
    run(ours, SGD(groups_of(ours), momentum=0.9), range(8))
    run(theirs, torch.optim.SGD(groups_of(theirs), lr=0.1, momentum=0.9), range(8))
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(a, b)
    assert not torch.equal(ours[0].weight, make_net()[0].weight)  # it did train


@pytest.mark.parametrize("writer", ["torch.optim.SGD", "ours"])
def test_resumes_a_state_dict_of_either(writer: str) -> None:
    """A checkpoint of torch.optim.SGD (runs before this class) or of ours resumes onto the uninterrupted
    run's weights."""
    whole = make_net()
    run(whole, torch.optim.SGD(groups_of(whole), lr=0.1, momentum=0.9), range(8))

    first = make_net()
    make = torch.optim.SGD if writer == "torch.optim.SGD" else SGD
    before = make(groups_of(first), momentum=0.9, **({"lr": 0.1} if make is torch.optim.SGD else {}))
    run(first, before, range(3))
    saved = copy.deepcopy(before.state_dict())

    resumed = copy.deepcopy(first)
    after = SGD(groups_of(resumed), momentum=0.9)
    after.load_state_dict(saved)
    run(resumed, after, range(3, 8))
    for a, b in zip(resumed.parameters(), whole.parameters()):
        assert torch.equal(a, b)


def test_refuses_a_state_of_other_groups() -> None:
    net = make_net()
    saved = SGD(groups_of(net), 0.9).state_dict()
    other = SGD([{"params": list(net.parameters()), "lr": 0.1}], 0.9)
    with pytest.raises(ValueError, match="other parameter groups"):
        other.load_state_dict(saved)
