"""The training loop: SGD with step decay, random flip, lambda annealing, checkpoint/resume (docs/paper.md §1, §3).

Every run writes, in its folder: `checkpoint.pt` (model, head, optimizer, step, sampler RNG; resumed
automatically), `metrics.csv` (one row per logging interval: loss, lr, training accuracy, the head's scalars
such as lambda, and the interval's mean feature norm ||x|| and mean target angle theta_y in degrees between a
feature and its class weight, empty for heads without class weights), `model.pt` (final FC1 network weights)
and `train.yaml` (the resolved settings, effective batch included). On CUDA the packed store lives on
the GPU when it fits, flips and normalisation run there, the forward runs under bf16 autocast with
channels_last and torch.compile, and the loop reads nothing back from the GPU between log intervals.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import torch
import yaml
from torch import nn
from tqdm import tqdm

from sphere import runtime
from sphere.config.settings import TrainConfig
from sphere.errors import UserError
from sphere.losses import Head, HeadOutput, create_head
from sphere.models import create_model
from sphere.models.init import init_scheme
from sphere.models.io import save_model, to_input
from sphere.runtime import pick_device, set_threads, switch
from sphere.store.io import read_store
from sphere.train.checkpoint import (
    CHECKPOINT,
    discard_checkpoints,
    load_checkpoint,
    save_checkpoint,
)
from sphere.train.device_store import DeviceStore
from sphere.train.distributed import barrier, init_world, shard
from sphere.train.lock import exclusive
from sphere.train.sampling import BatchSampler
from sphere.train.sgd import SGD


class NonFiniteLoss(RuntimeError):
    pass


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """lr divided by 10 at each configured step (the released solver's multistep policy)."""
    return cfg.lr * 0.1 ** sum(step >= s for s in cfg.lr_steps)


class FaceTrainer(nn.Module):
    """Network and loss head as one module, so DDP synchronises the head's weights too."""

    def __init__(self, model: nn.Module, head: Head, bf16: bool, channels_last: bool) -> None:
        super().__init__()
        self.model, self.head = model, head
        self.bf16, self.channels_last = bf16, channels_last

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> HeadOutput:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            features = self.model(x)
        out = self.head(features, y)  # the head keeps its margin math in float32
        out.monitor = monitor(features, self.head.class_weights(), y)
        return out


MONITORED = ("feature_norm", "theta_y_deg")


@torch.no_grad()
def monitor(features: torch.Tensor, weights: torch.Tensor | None, labels: torch.Tensor) -> torch.Tensor:
    """[mean ||x||, mean theta_y in degrees] of a batch (issue 25: A-Softmax keeps ||x||, the normalised heads
    fix s), theta_y the angle between a feature and its class weight (NaN without class weights); on the device."""
    x = features.detach().float()
    norm = x.norm(dim=1)
    if weights is None:
        return torch.stack([norm.mean(), torch.full((), math.nan, device=x.device)])
    w_y = weights.detach().float()[labels]
    cos = (x * w_y).sum(dim=1) / (norm * w_y.norm(dim=1)).clamp_min(1e-12)
    return torch.stack([norm.mean(), torch.rad2deg(torch.acos(cos.clamp(-1, 1))).mean()])


PARAM_MULTIPLIERS = ("released", "none")


def parameter_groups(model: nn.Module, head: Head, cfg: TrainConfig) -> list[dict]:
    """SGD groups of the released solver (sphereface_model.prototxt `param` blocks): weights at lr with
    weight decay; biases at 2x lr without decay (`lr_mult: 2, decay_mult: 0`; the residual convs' frozen
    biases do not exist here); groups a head marks `fixed_lr` (the centre-loss alpha) keep their own lr.
    `param_multipliers: none` puts the biases with the weights."""
    if cfg.param_multipliers not in PARAM_MULTIPLIERS:
        raise ValueError(
            f"param_multipliers must be one of {', '.join(PARAM_MULTIPLIERS)}, got {cfg.param_multipliers!r}"
        )
    biases = {id(p) for module in (model, head) for name, p in module.named_parameters() if name.endswith("bias")}
    groups = []
    for group in [
        {"params": list(model.parameters()), "lr": cfg.lr, "weight_decay": cfg.weight_decay},
        *head.param_groups(cfg.lr, cfg.weight_decay),
    ]:
        if group.get("fixed_lr") or cfg.param_multipliers == "none":
            groups.append(group)
            continue
        weights = [p for p in group["params"] if id(p) not in biases]
        bias = [p for p in group["params"] if id(p) in biases]
        groups += [{**group, "params": weights}] if weights else []
        groups += [{**group, "params": bias, "lr": 2 * group["lr"], "weight_decay": 0.0}] if bias else []
    return groups


def architecture(cfg: TrainConfig) -> tuple[str, float, int]:
    """What a saved model needs to be rebuilt (`save_model`): network name, width, feature dimension."""
    return cfg.model, cfg.width, cfg.feature_dim


def build(cfg: TrainConfig, num_classes: int, input_size: tuple[int, int], device: torch.device) -> tuple:
    """Seeded network, head, trainer module (compiled / channels_last as configured) and SGD optimizer."""
    torch.manual_seed(cfg.seed)
    with init_scheme(cfg.init):
        model = create_model(cfg.model, width=cfg.width, feature_dim=cfg.feature_dim, input_size=input_size)
        head = create_head(cfg.loss, cfg.feature_dim, num_classes, **cfg.loss_params)
    bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and device.type == "cuda")
    channels_last = switch(cfg.channels_last, device)
    net = FaceTrainer(model, head, bf16, channels_last).to(device)
    if channels_last:
        net.model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # Module.to's stub lacks it
    groups = parameter_groups(model, head, cfg)
    for group in groups:
        group["base_lr"] = group["lr"]
    optimizer = SGD(groups, momentum=cfg.momentum)
    if switch(cfg.compile, device):
        net.model.compile()
    return model, head, net, optimizer


def recipe(cfg: TrainConfig, head: Head) -> dict:
    """Which released behaviour or departure this run used (docs/fidelity.md), for train.yaml."""
    used = {"init": cfg.init, "param_multipliers": cfg.param_multipliers, "lambda_counter": "advanced before use"}
    for name in ("gradient", "renormalise"):
        if hasattr(head, name):
            used[name] = getattr(head, name)
    return used


def resume_key(cfg: TrainConfig) -> str:
    """What a checkpoint must match to be resumed: every setting but where and how fast it runs."""
    settings = {k: v for k, v in asdict(cfg).items() if k not in ("threads", "device", "log_every", "checkpoint_every")}
    return json.dumps(settings, sort_keys=True)


def train_step(
    net: nn.Module, optimizer: SGD, source: DeviceStore, index: torch.Tensor, flip: torch.Tensor
) -> tuple[HeadOutput, torch.Tensor]:
    """One SGD step on the faces `index` of the store (flipped where `flip`); nothing is read back."""
    faces, flip, y = source.batch(index, flip)
    out = net(to_input(faces, flip), y)
    optimizer.zero_grad()
    out.loss.backward()
    optimizer.step()
    return out, y


def train(cfg: TrainConfig, store_dir: Path, out_dir: Path, stop_at: int | None = None, progress: bool = True) -> Path:
    """Train (or resume) a run; `stop_at` ends it early after checkpointing, as an interruption would."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    set_threads(cfg.threads)
    device = pick_device(cfg.device)
    world = init_world(device.type)
    if device.type == "cuda" and world.size > 1:
        device = torch.device("cuda", world.local_rank)
    store = read_store(store_dir)
    labels_np = store.index["label"].to_numpy()
    input_size = tuple(store.images.shape[1:3])
    if cfg.batch_size % world.size:
        raise UserError(f"batch_size {cfg.batch_size} does not split evenly over {world.size} processes")

    model, head, net, optimizer = build(cfg, store.num_classes, input_size, device)
    for group in optimizer.param_groups:  # DDP averages the centres' update over processes; sum it instead
        if group.get("fixed_lr"):
            group["lr"] = group["base_lr"] * world.size
    sampler = BatchSampler(labels_np, cfg.batch_size, cfg.images_per_identity if head.needs_pairs else None, cfg.seed)
    step_net = net
    if world.size > 1:
        device_ids = [device.index] if device.type == "cuda" else None
        step_net = nn.parallel.DistributedDataParallel(net, device_ids=device_ids)

    checkpoint_path, metrics_path = out_dir / CHECKPOINT, out_dir / "metrics.csv"
    step, rows = 0, []
    settings = resume_key(cfg)
    # a corrupt checkpoint is set aside (checkpoint.pt.corrupt) for the previous one or a fresh start
    state = load_checkpoint(
        out_dir, device, {"model": model.state_dict(), "head": head.state_dict()}, set_aside=world.is_main
    )
    if state is not None and state.get("settings") != settings:  # a checkpoint of other settings is not this run's past
        print(f"{checkpoint_path}: written with other settings; training from scratch", file=sys.stderr)
        barrier(world)
        if world.is_main:
            discard_checkpoints(out_dir)
            metrics_path.unlink(missing_ok=True)
        state = None
    if state is not None:
        model.load_state_dict(state["model"])
        head.load_state_dict(state["head"])
        optimizer.load_state_dict(state["optimizer"])
        sampler.set_state(state["sampler"])
        step = int(state["step"])
        if metrics_path.exists():
            rows = pd.read_csv(metrics_path).query("step <= @step").to_dict("records")
        if world.is_main:  # Snakemake starts a rerun's log afresh: say where this one picks up
            print(
                f"sphere train: resuming at step {step} of {cfg.iterations} ({metrics_path.name} keeps the "
                "earlier steps)",
                file=sys.stderr,
            )
    if world.is_main:
        record = {
            **asdict(cfg),
            "recipe": recipe(cfg, head),
            "effective_batch": cfg.batch_size,
            "processes": world.size,
            "num_classes": store.num_classes,
            "device": str(device),
            "input_size": list(input_size),
        }
        runtime.write_text(out_dir / "train.yaml", yaml.safe_dump(record, sort_keys=False))

    source = DeviceStore(store.images, labels_np, device)

    def checkpoint() -> None:
        if world.is_main:
            save_checkpoint(
                {
                    "model": model.state_dict(),
                    "head": head.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "sampler": sampler.get_state(),
                    "step": step,
                    "settings": settings,
                },
                out_dir,
            )
            runtime.to_csv(pd.DataFrame(rows), metrics_path, index=False)
        barrier(world)

    net.train()
    end = cfg.iterations if stop_at is None else min(stop_at, cfg.iterations)
    loss_sum = torch.zeros((), device=device)
    correct_sum = torch.zeros((), device=device)
    monitor_sum = torch.zeros(len(MONITORED), device=device)
    seen, last_log = 0, {}
    bar = tqdm(
        total=cfg.iterations,
        initial=step,
        desc=f"train {out_dir.name}",
        unit="it",
        disable=not progress or not world.is_main,
    )
    while step < end:
        for group in optimizer.param_groups:
            if not group.get("fixed_lr"):
                group["lr"] = group["base_lr"] * learning_rate(cfg, step) / cfg.lr
        drawn, flipped = sampler.next()
        index, flip = shard(torch.from_numpy(drawn), world), shard(torch.from_numpy(flipped), world)
        head.set_iteration(step + 1)  # the released layer advances its counter before computing lambda
        out, y = train_step(step_net, optimizer, source, index, flip)
        step += 1
        loss_sum += out.loss.detach()
        if out.logits is not None:
            correct_sum += (out.logits.detach().argmax(1) == y).float().mean()
        if out.monitor is not None:
            monitor_sum += out.monitor
        seen, last_log = seen + 1, out.log
        if step % cfg.log_every == 0 or step % cfg.checkpoint_every == 0 or step == end:
            loss_mean = loss_sum.item() / seen  # the only read-back from the device: once per interval
            if not math.isfinite(loss_mean):
                if world.is_main:  # the log up to the divergence is the evidence; keep it
                    runtime.to_csv(pd.DataFrame(rows + [{"step": step, "loss": loss_mean}]), metrics_path, index=False)
                good = checkpoint_path if checkpoint_path.exists() else "none"
                raise NonFiniteLoss(
                    f"non-finite loss at step {step}; last good checkpoint: {good} "
                    "(try a higher lambda_min, a lower lr or a softmax warm start)"
                )
            if step % cfg.log_every == 0 or step == cfg.iterations:
                acc = correct_sum.item() / seen if out.logits is not None else math.nan
                monitored = dict(zip(MONITORED, (monitor_sum / seen).tolist()))
                rows.append(
                    {
                        "step": step,
                        "loss": loss_mean,
                        "lr": learning_rate(cfg, step - 1),
                        "train_acc": acc,
                        **last_log,
                        **monitored,
                    }
                )
                bar.set_postfix(loss=f"{loss_mean:.3f}", acc=f"{acc:.3f}")
                loss_sum.zero_(), correct_sum.zero_(), monitor_sum.zero_()
                seen = 0
        if step % cfg.checkpoint_every == 0 or step == end:
            checkpoint()
        bar.update(1)
    bar.close()
    if step >= cfg.iterations and world.is_main:
        save_model(model.state_dict(), *architecture(cfg), input_size, out_dir, {"status": "ok", "steps": step})
    barrier(world)
    return out_dir / "model.pt"


def train_or_record_divergence(cfg: TrainConfig, store_dir: Path, out_dir: Path) -> Path:
    """Train; if the loss becomes non-finite, keep the last good checkpoint's network as the result and
    record the divergence in `status.json`, so tables show the failure instead of a blank (docs/paper.md §5).
    The out folder is locked for the run (one writer; other DDP processes, RANK > 0, share the rank-0 lock)."""
    lock = exclusive(out_dir) if int(os.environ.get("RANK", "0")) == 0 else contextlib.nullcontext()
    with lock:
        return _train_or_record_divergence(cfg, store_dir, out_dir)


def _train_or_record_divergence(cfg: TrainConfig, store_dir: Path, out_dir: Path) -> Path:
    try:
        return train(cfg, store_dir, out_dir)
    except NonFiniteLoss as error:
        print(f"sphere train: {error}", file=sys.stderr)
        store = read_store(store_dir)
        input_size = tuple(store.images.shape[1:3])
        state = load_checkpoint(out_dir, "cpu")
        if state is not None:
            weights, good_step = state["model"], int(state["step"])
        else:  # diverged before the first checkpoint: the seeded initial network
            weights, good_step = build(cfg, store.num_classes, input_size, torch.device("cpu"))[0].state_dict(), 0
        save_model(
            weights,
            *architecture(cfg),
            input_size,
            out_dir,
            {"status": "diverged", "steps": good_step, "message": str(error).split(";")[0]},
        )
        return Path(out_dir) / "model.pt"
