"""Dry runs of the DAG through each Snakemake profile in workflow/profiles/ (README "GPUs, clusters and speed",
"Scale beyond one machine"): the profile parses, the DAG plans one train job per training cell (method, seed),
and the train jobs get the GPU resources the profile promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "workflow" / "profiles"
DEFAULT = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
# one train job per training cell: every seed of every method
CELLS = [(m, s) for m in DEFAULT["methods"] for s in DEFAULT["methods"][m].get("seeds", DEFAULT.get("seeds", [0]))]

pytestmark = pytest.mark.slow  # each dry run parses the workflow: about 10 s on two cores


def dry_run(tmp_path: Path, *profile_args: str) -> str:
    """Output of `snakemake -n` with the given profile options; results go to tmp_path, not the repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPHERE_SLURM_")}
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--nolock", *profile_args, "--config", f"results={tmp_path}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    return output


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run as {rule: count}."""
    table = output.split("Job stats:", 1)[1]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M) if m[1] != "total"}


def train_resources(output: str) -> list[str]:
    """The `resources:` line of every planned train job."""
    blocks = re.findall(r"^rule train:\n(.*?)(?:\n\n|\Z)", output, re.M | re.S)
    return [re.search(r"resources: (.*)", block)[1] for block in blocks]


def test_default_profile_caps_gpus_at_the_visible_count(tmp_path):
    import torch

    output = dry_run(tmp_path, "--workflow-profile", str(PROFILES / "default"))
    assert "workflow specific profile" in output
    assert job_counts(output)["train"] == len(CELLS)
    resources = train_resources(output)
    assert len(resources) == len(CELLS)
    # Each job asks for one GPU; Snakemake clamps the request to the profile's cap, the visible count.
    expected = min(1, torch.cuda.device_count())
    assert all(f"gpu={expected}" in r.split(", ") for r in resources), resources


def test_slurm_profile_sends_training_to_a_gpu_partition(tmp_path):
    pytest.importorskip(
        "snakemake_executor_plugin_slurm",
        reason="snakemake-executor-plugin-slurm is not installed: pip install snakemake-executor-plugin-slurm==2.8.0",
    )
    output = dry_run(tmp_path, "--profile", str(PROFILES / "slurm"))
    assert job_counts(output)["train"] == len(CELLS)
    resources = train_resources(output)
    assert len(resources) == len(CELLS)
    for r in resources:
        fields = r.split(", ")
        assert {"gpu=1", "slurm_partition=gpu", "cpus_per_gpu=8"} <= set(fields), r
    cpu_only = re.findall(r"^rule (?:align|lfw|report):\n.*?resources: (.*?)\n", output, re.M | re.S)
    assert cpu_only and all("slurm_partition=cpu" in r.split(", ") and "gpu=1" not in r for r in cpu_only)
