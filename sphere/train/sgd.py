"""Momentum SGD with per-group lr and weight decay: `torch.optim.SGD`'s update, bit for bit.

Why not `torch.optim.SGD` itself: its first call imports `torch._dynamo`, 2.5 s of CPU measured in every
training job (33 of them in the default DAG), for a loop of four tensor ops. The update is PyTorch's form,
v <- momentum * v + g + wd * w, w <- w - lr * v (v starts as the first step's g + wd * w; no dampening, no
Nesterov). Caffe's solver, which the released code ran, folds lr into v instead; the two agree while lr is
constant. `state_dict` has `torch.optim`'s layout, and checkpoints written with `torch.optim.SGD` resume here.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class SGD:
    """`param_groups` is a list of dicts with `params`, `lr` and optionally `weight_decay` (other keys are
    kept, as the training loop's `base_lr` and `fixed_lr`); the loop sets each group's `lr` per step."""

    def __init__(self, groups: Iterable[dict], momentum: float) -> None:
        self.param_groups = [
            {"weight_decay": 0.0, "momentum": momentum, **group, "params": list(group["params"])} for group in groups
        ]
        self.state: dict[torch.Tensor, torch.Tensor] = {}  # parameter -> momentum buffer

    def zero_grad(self) -> None:
        """Drop every gradient (`torch.optim`'s default, `set_to_none=True`)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            if group["weight_decay"]:
                grads = list(torch._foreach_add(grads, params, alpha=group["weight_decay"]))
            if group["momentum"]:
                old = [i for i, p in enumerate(params) if p in self.state]
                if old:
                    buffers = [self.state[params[i]] for i in old]
                    torch._foreach_mul_(buffers, group["momentum"])
                    torch._foreach_add_(buffers, [grads[i] for i in old])
                for i, p in enumerate(params):
                    if p not in self.state:
                        self.state[p] = torch.clone(grads[i]).detach()
                grads = [self.state[p] for p in params]
            torch._foreach_add_(params, grads, alpha=-group["lr"])

    def state_dict(self) -> dict:
        """`torch.optim.Optimizer.state_dict`'s layout: parameters numbered across groups in order."""
        groups, state, index = [], {}, 0
        for group in self.param_groups:
            numbers = list(range(index, index + len(group["params"])))
            for i, p in zip(numbers, group["params"]):
                if p in self.state:
                    state[i] = {"momentum_buffer": self.state[p]}
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": numbers})
            index += len(numbers)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, saved: dict) -> None:
        if [len(g["params"]) for g in saved["param_groups"]] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError("the saved optimizer state has other parameter groups than this run")
        self.state = {}
        for group, saved_group in zip(self.param_groups, saved["param_groups"]):
            group.update({k: v for k, v in saved_group.items() if k != "params"})
            for i, p in zip(saved_group["params"], group["params"]):
                buffer = saved["state"].get(i, {}).get("momentum_buffer")
                if buffer is not None:
                    self.state[p] = buffer.to(device=p.device, dtype=p.dtype)
