"""SIGKILL a real `snakemake` run at random points, recover as the README says, get identical tables.

The recovery is the README's "When something goes wrong": the rerun stops at Snakemake's lock naming
`--unlock`; `snakemake --unlock` (no --cores needed) clears it; the next run with `--rerun-incomplete`
redoes the jobs the kill interrupted (trainings resume from their checkpoints) and the tables match an
uninterrupted run byte for byte.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from test_end_to_end import tiny_config  # noqa: E402

SEED = 13  # the kill points are random, but the same in every CI run


def small_config(results: Path) -> dict:
    """The tiny DAG without YTF, MegaFace, the toy and the evaluate stage: synthesis, 2 stores, 2 trainings,
    features, LFW, report, claims."""
    config = tiny_config(results)
    for section in ("ytf", "megaface", "evaluate"):
        config.pop(section, None)
    config["methods"] = {k: config["methods"][k] for k in ("softmax", "asoftmax-m4")}
    config["tables"] = {"accuracy_vs_m": ["softmax", "asoftmax-m4"]}
    config["run"] = "kill"
    return config


def snakemake(workdir: Path, configfile: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(configfile),
        *extra,
    ]


def run_and_kill(command: list[str], after: float) -> bool:
    """Start `command` in its own process group and SIGKILL the whole group after `after` seconds
    (a crash: snakemake and its jobs die at once). True if it was still running when killed."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        command, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        process.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until every job of the group is gone
        try:
            os.killpg(process.pid, 0)
            time.sleep(0.2)
        except ProcessLookupError:
            return True
    raise AssertionError("processes of the killed run survived SIGKILL")


def recover(run: list[str], workdir: Path, configfile: Path, env: dict) -> bool:
    """The README's recovery after a kill: where Snakemake's lock was left, the rerun stops naming
    --unlock, and plain `snakemake --unlock` (no --cores) clears it. True if there was a lock to clear."""
    if not any((workdir / ".snakemake" / "locks").glob("*")):
        return False  # killed before snakemake took its lock
    blocked = subprocess.run(run, cwd=REPO, env=env, capture_output=True, text=True)
    assert blocked.returncode != 0 and "--unlock" in blocked.stdout + blocked.stderr
    unlock = subprocess.run(
        snakemake(workdir, configfile, "--unlock"), cwd=REPO, env=env, capture_output=True, text=True
    )
    assert unlock.returncode == 0, unlock.stdout + unlock.stderr
    return True


def tables(run: Path) -> dict[str, bytes]:
    """The run's tables but the machine-dependent ones (tables/resources.csv: seconds per job)."""
    from sphere.report.reproduce import MACHINE_DEPENDENT

    return {p.name: p.read_bytes() for p in sorted((run / "tables").glob("*.csv")) if p.name not in MACHINE_DEPENDENT}


@pytest.mark.slow
def test_kill_9_then_unlock_and_rerun_gives_identical_tables(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reference_cfg, killed_cfg = tmp_path / "reference.yaml", tmp_path / "killed.yaml"
    reference_cfg.write_text(yaml.safe_dump(small_config(tmp_path / "reference")))
    killed_cfg.write_text(yaml.safe_dump(small_config(tmp_path / "killed")))
    start = time.monotonic()
    subprocess.run(
        snakemake(tmp_path / "wd-reference", reference_cfg, "--cores", "2"),
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    duration = time.monotonic() - start
    expected = tables(tmp_path / "reference" / "kill")
    assert {"accuracy_vs_m.csv", "angle_stats.csv", "claims.csv"} <= set(expected)

    rng = random.Random(SEED)
    # the README's command after a crash: --rerun-incomplete, since a job killed mid-way (synthesis) leaves
    # files Snakemake marks incomplete and refuses to trust without it
    workdir = tmp_path / "wd-killed"
    run = snakemake(workdir, killed_cfg, "--cores", "2", "--rerun-incomplete")
    # one random point in each of three windows of the reference run's duration (each attempt resumes)
    points = [round(rng.uniform(lo, hi) * duration, 1) for lo, hi in ((0.05, 0.15), (0.15, 0.3), (0.3, 0.45))]
    landed, unlocked = [], []
    for after in points:
        unlocked.append(recover(run, workdir, killed_cfg, env))
        landed.append(run_and_kill(run, after))
    unlocked.append(recover(run, workdir, killed_cfg, env))
    print(f"reference {duration:.0f} s; kills after {points} s; mid-run: {landed}; lock cleared: {unlocked[1:]}")
    assert sum(landed) >= 2, "at least two kills must land while the run works"
    assert any(unlocked), "no kill left Snakemake's lock: the README's recovery went untested"
    final = subprocess.run(run, cwd=REPO, env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-3000:]
    assert tables(tmp_path / "killed" / "kill") == expected
