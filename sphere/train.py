"""The training loop: SGD with step decay, random flip, lambda annealing, checkpoint/resume (PAPER.md §3).

Every run writes, in its folder: `checkpoint.pt` (model, head, optimizer, step, RNG; resumed
automatically), `metrics.csv` (one row per logging interval), `model.pt` (final FC1 network weights)
and `train.yaml` (the resolved settings).
"""
from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml
from tqdm import tqdm

from sphere.data.store import read_store
from sphere.losses import create_head
from sphere.models import create_model
from sphere.sampling import BatchSampler


@dataclass
class TrainConfig:
    model: str = "sphereface20"
    width: float = 1.0
    feature_dim: int = 512
    loss: str = "asoftmax"
    loss_params: dict = field(default_factory=dict)
    batch_size: int = 256
    iterations: int = 28000
    lr: float = 0.1
    lr_steps: list[int] = field(default_factory=lambda: [16000, 24000])
    momentum: float = 0.9
    weight_decay: float = 5e-4
    images_per_identity: int = 4  # K of the P x K batches that pair and triplet losses need
    seed: int = 0
    log_every: int = 20
    checkpoint_every: int = 200
    device: str = "auto"
    threads: int = 0  # 0 keeps torch's default


class NonFiniteLoss(RuntimeError):
    pass


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """lr divided by 10 at each configured step (the released solver's multistep policy)."""
    return cfg.lr * 0.1 ** sum(step >= s for s in cfg.lr_steps)


def to_input(batch: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC -> float NCHW in (x - 127.5) / 128, with the rows of `flip` mirrored, on the device."""
    x = batch.permute(0, 3, 1, 2).float().sub_(127.5).div_(128.0)
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def _save_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train(cfg: TrainConfig, store_dir: Path, out_dir: Path, stop_at: int | None = None, progress: bool = True) -> Path:
    """Train (or resume) a run; `stop_at` ends it early after checkpointing, as an interruption would."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = pick_device(cfg.device)
    store = read_store(store_dir)
    labels_np = store.index["label"].to_numpy()
    height, width = store.images.shape[1:3]

    torch.manual_seed(cfg.seed)
    model = create_model(cfg.model, width=cfg.width, feature_dim=cfg.feature_dim, input_size=(height, width)).to(device)
    head = create_head(cfg.loss, cfg.feature_dim, store.num_classes, **cfg.loss_params).to(device)
    groups = [{"params": list(model.parameters()), "lr": cfg.lr, "weight_decay": cfg.weight_decay}]
    groups += head.param_groups(cfg.lr, cfg.weight_decay)
    for group in groups:
        group["base_lr"] = group["lr"]
    optimizer = torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum)
    sampler = BatchSampler(labels_np, cfg.batch_size, cfg.images_per_identity if head.needs_pairs else None, cfg.seed)

    checkpoint_path = out_dir / "checkpoint.pt"
    metrics_path = out_dir / "metrics.csv"
    step, rows = 0, []
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=True)
        model.load_state_dict(state["model"])
        head.load_state_dict(state["head"])
        optimizer.load_state_dict(state["optimizer"])
        sampler.set_state(state["sampler"])
        step = int(state["step"])
        if metrics_path.exists():
            rows = pd.read_csv(metrics_path).query("step <= @step").to_dict("records")
    with open(out_dir / "train.yaml", "w") as f:
        yaml.safe_dump({**asdict(cfg), "effective_batch": cfg.batch_size, "num_classes": store.num_classes,
                        "device": str(device), "input_size": [height, width]}, f, sort_keys=False)

    images = torch.from_numpy(np.array(store.images)).to(device)  # a writable in-memory copy
    labels = torch.from_numpy(labels_np).to(device)

    def checkpoint() -> None:
        _save_atomic({"model": model.state_dict(), "head": head.state_dict(), "optimizer": optimizer.state_dict(),
                      "sampler": sampler.get_state(), "step": step}, checkpoint_path)
        pd.DataFrame(rows).to_csv(metrics_path, index=False)

    model.train()
    end = cfg.iterations if stop_at is None else min(stop_at, cfg.iterations)
    window: list[tuple[float, float]] = []
    bar = tqdm(total=cfg.iterations, initial=step, desc=f"train {out_dir.name}", disable=not progress, unit="it")
    while step < end:
        lr_scale = learning_rate(cfg, step) / cfg.lr
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * lr_scale
        batch_index, flip = sampler.next()
        batch_index = torch.from_numpy(batch_index).to(device)
        x = to_input(images[batch_index], torch.from_numpy(flip).to(device))
        y = labels[batch_index]
        head.set_iteration(step)
        out = head(model(x), y)
        if not torch.isfinite(out.loss):
            raise NonFiniteLoss(
                f"non-finite loss at step {step}; last good checkpoint: "
                f"{checkpoint_path if checkpoint_path.exists() else 'none'} (try a higher lambda_min or a lower lr)"
            )
        optimizer.zero_grad(set_to_none=True)
        out.loss.backward()
        optimizer.step()
        step += 1
        accuracy = (out.logits.argmax(1) == y).float().mean().item() if out.logits is not None else math.nan
        window.append((out.loss.item(), accuracy))
        if step % cfg.log_every == 0 or step == cfg.iterations:
            loss_mean, acc_mean = np.mean(window, axis=0)
            rows.append({"step": step, "loss": loss_mean, "lr": learning_rate(cfg, step - 1),
                         "train_acc": acc_mean, **out.log})
            bar.set_postfix(loss=f"{loss_mean:.3f}", acc=f"{acc_mean:.3f}")
            window = []
        if step % cfg.checkpoint_every == 0 or step == end:
            checkpoint()
        bar.update(1)
    bar.close()
    if step >= cfg.iterations:
        torch.save({"model": model.state_dict(), "model_name": cfg.model, "width": cfg.width,
                    "feature_dim": cfg.feature_dim, "input_size": [height, width]}, out_dir / "model.pt")
    return out_dir / "model.pt"


def load_model(path: Path, device: torch.device | str = "cpu") -> torch.nn.Module:
    """The FC1 network saved by `train`, in eval mode."""
    state = torch.load(path, map_location=device, weights_only=True)
    model = create_model(state["model_name"], width=state["width"], feature_dim=state["feature_dim"],
                         input_size=tuple(state["input_size"]))
    model.load_state_dict(state["model"])
    return model.to(device).eval()
