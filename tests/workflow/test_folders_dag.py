"""The DAG on real-folder configs: a clear stop when the data are absent, MTCNN jobs when they are there."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

from tests.workflow.dag import job_counts

REPO = Path(__file__).resolve().parents[2]


def dry_run(tmp_path, data, *targets):
    config = yaml.safe_load((REPO / "config" / "celeba-lfw.yaml").read_text())
    config.update(results=str(tmp_path / "results"), data={**config["data"], **data})
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", *targets, "--configfile", str(tmp_path / "c.yaml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_absent_data_stops_naming_the_folders(tmp_path):
    proc = dry_run(tmp_path, {"train_root": [str(tmp_path / "nowhere" / "celeba")], "test_root": "/no/lfw"})
    message = proc.stdout + proc.stderr  # snakemake prints its workflow errors on stdout
    assert proc.returncode != 0 and "Traceback" not in message
    assert f"{tmp_path / 'nowhere' / 'celeba'} not found" in message and "/no/lfw not found" in message


def faces(tmp_path):
    """Two training roots, an LFW folder and its pairs file, as data.* settings."""
    for rel in ("a/0001/x.jpg", "b/0002/y.jpg", "lfw/P/P_0001.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(tmp_path / rel)
    (tmp_path / "pairs.txt").write_text("1 1\nP 1 1\nP 1 P 1\n")
    return {
        "train_root": [str(tmp_path / "a"), str(tmp_path / "b")],
        "test_root": str(tmp_path / "lfw"),
        "pairs": str(tmp_path / "pairs.txt"),
    }


def test_two_roots_plan_mtcnn_then_align(tmp_path):
    proc = dry_run(tmp_path, faces(tmp_path))
    assert proc.returncode == 0, proc.stderr
    jobs = job_counts(proc.stdout)
    config = yaml.safe_load((REPO / "config" / "celeba-lfw.yaml").read_text())
    cells = sum(len(spec.get("seeds", config.get("seeds", [0]))) for spec in config["methods"].values())
    assert jobs["detect"] == 2 and jobs["align"] == 2 and jobs["train"] == cells


def test_a_fresh_copy_of_the_data_reruns_nothing(tmp_path):
    """A copy or a fresh mount renews the dataset's timestamps; the landmarks detected from it stay valid."""
    data = faces(tmp_path)
    outputs = [
        tmp_path / "results" / "celeba-lfw" / "raw" / "landmarks" / name
        for name in ("test.txt", "test_detections.csv", "test_detection.json")
    ]
    for path in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    later = time.time() + 3600
    for folder in (tmp_path / "lfw", tmp_path / "lfw" / "P"):
        os.utime(folder, (later, later))
    proc = dry_run(tmp_path, data, *map(str, outputs))
    assert proc.returncode == 0, proc.stdout
    assert job_counts(proc.stdout) == {} and "Nothing to be done" in proc.stdout
