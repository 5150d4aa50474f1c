"""DDP through torchrun on CPU (gloo): 2 processes end where 1 process with the same global batch ends."""

import subprocess
import sys

import pytest
import torch
import yaml


@pytest.mark.slow
def test_two_processes_match_one(tiny_store, tmp_path):
    config = {
        "run": "ddp",
        "crop": [16, 16],
        "train": {
            "model": "sphereface4",
            "width": 0.125,
            "feature_dim": 8,
            "batch_size": 8,
            "iterations": 6,
            "lr": 0.05,
            "lr_steps": [4],
            "log_every": 2,
            "checkpoint_every": 3,
            "device": "cpu",
            "threads": 1,
        },
        "methods": {"m4": {"loss": "asoftmax", "params": {"m": 4, "gamma": 1.0}}},
        "tables": {"accuracy_vs_m": ["m4"]},
    }
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    common = ["train", "--config", str(tmp_path / "c.yaml"), "--method", "m4", "--store", str(tiny_store)]
    subprocess.run([sys.executable, "-m", "sphere", *common, "--out", str(tmp_path / "one")], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            "-m",
            "sphere",
            *common,
            "--out",
            str(tmp_path / "two"),
        ],
        check=True,
    )
    one = torch.load(tmp_path / "one" / "model.pt", weights_only=True)["model"]
    two = torch.load(tmp_path / "two" / "model.pt", weights_only=True)["model"]
    # Same maths, different summation order: agreement to float32 rounding, well below any training effect.
    worst = max((one[k] - two[k]).abs().max().item() / (one[k].abs().max().item() + 1e-12) for k in one)
    assert worst < 1e-4
    assert yaml.safe_load((tmp_path / "two" / "train.yaml").read_text())["processes"] == 2
