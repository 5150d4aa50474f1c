"""Shared by the DDP tests: a tiny A-Softmax config on the 16x16 `tiny_store` and a two-process torchrun."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

TRAIN = {
    "model": "sphereface4",
    "width": 0.125,
    "feature_dim": 8,
    "batch_size": 8,
    "log_every": 2,
    "device": "cpu",
    "threads": 1,
}


def tiny_config(folder: Path, params: dict, **train) -> Path:
    """`folder/c.yaml`: one method `m4` (A-Softmax with `params`) on SphereFace-4 at width 1/8, 8-d features."""
    config = {
        "run": "ddp",
        "crop": [16, 16],
        "train": {**TRAIN, **train},
        "methods": {"m4": {"loss": "asoftmax", "params": params}},
        "tables": {"accuracy_vs_m": ["m4"]},
    }
    (folder / "c.yaml").write_text(yaml.safe_dump(config))
    return folder / "c.yaml"


def train_args(config: Path, store: Path, out: Path) -> list[str]:
    return ["train", "--config", str(config), "--method", "m4", "--store", str(store), "--out", str(out)]


def torchrun(*args: str) -> subprocess.CompletedProcess:
    """`torchrun --standalone --nproc_per_node 2 <args>` on this interpreter (gloo on the CPU)."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=240)
