"""The workflow itself: `snakemake --lint` reports nothing, a dry run writes nothing, and the resolved
config is rewritten (and what reads it rerun) only when it changes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.workflow.dag import job_counts

REPO = Path(__file__).resolve().parents[2]
REAL_DATA = REPO.parent / "shared" / "data"

pytestmark = pytest.mark.slow  # each call parses the workflow: about 10 s on two cores


def snakemake(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("configfile", ["config/default.yaml", "config/celeba-lfw.yaml"])
def test_lint_reports_nothing(configfile):
    if "celeba" in configfile and not REAL_DATA.exists():
        pytest.skip(f"{REAL_DATA} is absent: the real-data config stops before linting")
    done = snakemake("--lint", "--configfile", configfile)
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "Lints for" not in output, output[-3000:]
    assert "Congratulations" in output


def planned(output: str) -> set[str]:
    """The rules of a dry run's 'Job stats' table."""
    return set(job_counts(output))


def test_dry_run_writes_nothing_and_plans_the_resolved_config(tmp_path):
    results = tmp_path / "results"
    done = snakemake("-n", "--cores", "2", "--config", f"results={results}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert not results.exists()  # not even <run>/config.yaml: a rule writes it
    assert {"resolved_config", "train", "report", "resources"} <= planned(done.stdout)


def test_resolved_config_reruns_only_when_it_changes(tmp_path):
    """The job writes a missing <run>/config.yaml; then a newer YAML with the same settings plans nothing, and a
    changed setting plans what it changes (not hidden behind a config job: see CONFIG_MISSING in common.smk),
    leaves the file alone in the dry run, and is written before the first job of a real run."""
    config = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
    config["results"] = str(tmp_path / "results")
    configfile = tmp_path / "c.yaml"
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    resolved = tmp_path / "results" / "default" / "config.yaml"
    done = snakemake(str(resolved), "--cores", "1", "--configfile", str(configfile))
    assert done.returncode == 0 and yaml.safe_load(resolved.read_text()) == config, done.stderr[-3000:]
    written = resolved.read_text()

    def touch_newer():
        newer = resolved.stat().st_mtime + 10
        os.utime(configfile, (newer, newer))

    touch_newer()  # the YAML is newer than the resolved file, the settings are the same: the config job stays
    done = snakemake("-n", "--cores", "2", "--configfile", str(configfile))
    assert done.returncode == 0 and "resolved_config" not in planned(done.stdout), done.stdout[-3000:]
    config["ytf"]["synthetic"]["seed"] = 1
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    touch_newer()
    done = snakemake("-n", "--cores", "2", "--configfile", str(configfile))
    assert done.returncode == 0, done.stdout[-3000:]
    assert {"synthesize_ytf", "train", "report"} <= planned(done.stdout) and "resolved_config" not in planned(
        done.stdout
    ), done.stdout[-3000:]
    assert resolved.read_text() == written  # the dry run left it alone
    ytf_splits = resolved.parent / "raw" / "ytf" / "splits.txt"  # a job of a few seconds
    done = snakemake(str(ytf_splits), "--cores", "1", "--configfile", str(configfile))
    assert done.returncode == 0 and yaml.safe_load(resolved.read_text()) == config, done.stderr[-3000:]


def test_a_config_without_train_threads_gives_training_every_core(tmp_path):
    """train.threads defaults to 0 (torch's default: every core), so the job must reserve every core."""
    config = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
    del config["train"]["threads"]
    config["results"] = str(tmp_path / "results")
    configfile = tmp_path / "c.yaml"
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    done = snakemake("-n", "-p", "--cores", "3", "--configfile", str(configfile))
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert re.search(r"sphere --usage \S+ train .* --threads 3 ", done.stdout), done.stdout[-3000:]
