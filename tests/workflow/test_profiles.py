"""The DAG through each Snakemake profile in workflow/profiles/ (README "GPUs, clusters and speed", "Scale beyond
one machine"): the profile parses, the DAG plans one train job per training cell (method, seed), the train jobs
get the GPU resources the profile promises, and the SLURM profile runs end to end against stand-in sbatch,
sacct and srun programs (each job run here, at once), submitting GPU resources for GPU trainings only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.workflow.dag import job_counts

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


def train_resources(output: str) -> list[str]:
    """The `resources:` line of every planned train job (toy methods' included: rule train_toy)."""
    blocks = re.findall(r"^rule train(?:_toy)?:\n(.*?)(?:\n\n|\Z)", output, re.M | re.S)
    return [re.search(r"resources: (.*)", block)[1] for block in blocks]


def test_default_profile_caps_gpus_at_the_visible_count(tmp_path):
    import torch

    output = dry_run(tmp_path, "--workflow-profile", str(PROFILES / "default"))
    assert "workflow specific profile" in output
    counts = job_counts(output)
    assert counts["train"] + counts.get("train_toy", 0) == len(CELLS)
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
    counts = job_counts(output)
    assert counts["train"] + counts.get("train_toy", 0) == len(CELLS)
    resources = train_resources(output)
    assert len(resources) == len(CELLS)
    for r in resources:
        fields = r.split(", ")
        assert {"gpu=1", "slurm_partition=gpu", "cpus_per_gpu=8"} <= set(fields), r
    cpu_only = re.findall(r"^rule (?:align|lfw|report):\n.*?resources: (.*?)\n", output, re.M | re.S)
    assert cpu_only and all("slurm_partition=cpu" in r.split(", ") and "gpu=1" not in r for r in cpu_only)


# Stand-ins for the SLURM commands the executor plugin calls: sbatch records its options and runs the job's
# command here and now (as the cluster would, later and elsewhere), sacct reports the jobs' end states, srun
# runs its command without options; sinfo, squeue, scontrol, sacctmgr and sshare answer nothing.
FAKE_SLURM = """#!PYTHON
import fcntl, json, os, subprocess, sys
from pathlib import Path

state = Path(os.environ["FAKE_SLURM_DIR"])
name, args = Path(sys.argv[0]).name, sys.argv[1:]
if name == "sbatch":
    wrap = next((a.split("=", 1)[1] for a in args if a.startswith("--wrap=")), None)
    script = wrap if wrap is not None else sys.stdin.read()
    with open(state / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        job_id = 1000 + len(list(state.glob("job-*.json")))
        (state / f"job-{job_id}.json").write_text(json.dumps({"argv": args, "state": "RUNNING"}))
    env = {**os.environ, "SLURM_JOB_ID": str(job_id), "SLURM_JOBID": str(job_id)}
    done = subprocess.run(["sh", "-c", script], env=env)
    state_name = "COMPLETED" if done.returncode == 0 else "FAILED"
    (state / f"job-{job_id}.json").write_text(json.dumps({"argv": args, "state": state_name}))
    print(job_id)
elif name == "sacct":
    for path in sorted(state.glob("job-*.json")):
        print(f"{path.stem[4:]}|{json.loads(path.read_text())['state']}")
elif name == "srun":
    while args and args[0].startswith("-"):
        args.pop(0)
    os.execvp(args[0], args)
"""


def submitted(state: Path) -> dict[str, list[str]]:
    """rule (and wildcards) -> the sbatch options of its job, from the stand-in's records."""
    jobs = {}
    for path in sorted(state.glob("job-*.json")):
        record = json.loads(path.read_text())
        assert record["state"] == "COMPLETED", record
        argv = [a for a in record["argv"] if not a.startswith("--wrap")]
        jobs[argv[argv.index("--comment") + 1]] = argv
    return jobs


def test_slurm_profile_runs_end_to_end_with_gpus_for_gpu_trainings_only(tmp_path):
    pytest.importorskip(
        "snakemake_executor_plugin_slurm",
        reason="snakemake-executor-plugin-slurm is not installed: pip install snakemake-executor-plugin-slurm==2.8.0",
    )
    from tests.workflow.test_end_to_end import tiny_config

    bin_dir, state = tmp_path / "bin", tmp_path / "slurm"
    bin_dir.mkdir()
    state.mkdir()
    program = bin_dir / "fake_slurm"
    program.write_text(FAKE_SLURM.replace("PYTHON", sys.executable))
    program.chmod(0o755)
    for name in ("sbatch", "sacct", "srun", "sinfo", "squeue", "scontrol", "sacctmgr", "sshare"):
        (bin_dir / name).symlink_to(program)
    config = tiny_config(tmp_path / "results")
    for section in ("ytf", "megaface", "evaluate"):
        config.pop(section)
    config["methods"] = {  # one GPU training (device auto) and one pinned to the CPU
        "softmax": {"loss": "softmax"},
        "asoftmax-m4": {"loss": "asoftmax", "params": {"m": 4}, "train": {"device": "cpu"}},
    }
    config["tables"] = {table: ["softmax", "asoftmax-m4"] for table in ("accuracy_vs_m", "loss_comparison")}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPHERE_SLURM_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", FAKE_SLURM_DIR=str(state), SPHERE_SLURM_GPU_PARTITION="a100")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--profile",
            str(PROFILES / "slurm"),
            "--configfile",
            str(tmp_path / "config.yaml"),
            "--until",
            "train",
            "--nolock",
            "--slurm-logdir",
            str(tmp_path / "logs"),
            "--seconds-between-status-checks",
            "1",
            "--slurm-init-seconds-before-status-checks",
            "1",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    jobs = submitted(state)
    assert sorted(jobs) == [
        "rule_align_wildcards_test",
        "rule_align_wildcards_train",
        "rule_synthesize",
        "rule_train_wildcards_asoftmax-m4_0",
        "rule_train_wildcards_softmax_0",
    ]
    gpu = jobs["rule_train_wildcards_softmax_0"]
    assert {"--gpus=1", "--cpus-per-gpu=8"} <= set(gpu) and gpu[gpu.index("-p") + 1] == "a100"
    for comment in set(jobs) - {"rule_train_wildcards_softmax_0"}:  # CPU jobs: the CPU partition, no GPU
        argv = jobs[comment]
        assert argv[argv.index("-p") + 1] == "cpu" and not any("gpu" in a for a in argv), argv
    cpu_training = jobs["rule_train_wildcards_asoftmax-m4_0"]
    assert "--cpus-per-task=1" in cpu_training and cpu_training[cpu_training.index("--mem") + 1] == "32000"
    align = jobs["rule_align_wildcards_train"]  # sized from the rule: the profile's align line
    assert align[align.index("--mem") + 1] == "8000" and align[align.index("-t") + 1] == "240"
    assert "--cpus-per-task=16" in jobs["rule_synthesize"]  # threads: every core, the profile's 16
    for method in ("softmax", "asoftmax-m4"):
        assert (tmp_path / "results" / "tiny" / "models" / method / "seed0" / "model.pt").is_file()
