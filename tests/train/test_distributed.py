"""DDP through torchrun on CPU (gloo): 2 processes end where 1 process with the same global batch ends."""

import subprocess
import sys

import pytest
import torch
import yaml

from tests.train.ddp import tiny_config, torchrun, train_args


@pytest.mark.slow
def test_two_processes_match_one(tiny_store, tmp_path):
    config = tiny_config(tmp_path, {"m": 4, "gamma": 1.0}, iterations=6, lr=0.05, lr_steps=[4], checkpoint_every=3)
    subprocess.run([sys.executable, "-m", "sphere", *train_args(config, tiny_store, tmp_path / "one")], check=True)
    done = torchrun("-m", "sphere", *train_args(config, tiny_store, tmp_path / "two"))
    assert done.returncode == 0, done.stderr[-3000:]
    one = torch.load(tmp_path / "one" / "model.pt", weights_only=True)["model"]
    two = torch.load(tmp_path / "two" / "model.pt", weights_only=True)["model"]
    # Same maths, different summation order: agreement to float32 rounding, well below any training effect.
    worst = max((one[k] - two[k]).abs().max().item() / (one[k].abs().max().item() + 1e-12) for k in one)
    assert worst < 1e-4
    assert yaml.safe_load((tmp_path / "two" / "train.yaml").read_text())["processes"] == 2
