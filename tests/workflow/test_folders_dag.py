"""The DAG on real-folder configs: a clear stop when the data are absent, MTCNN jobs when they are there."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def dry_run(tmp_path, data):
    config = yaml.safe_load((REPO / "config" / "celeba-lfw.yaml").read_text())
    config.update(results=str(tmp_path / "results"), data={**config["data"], **data})
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(tmp_path / "c.yaml")],
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


def test_two_roots_plan_mtcnn_then_align(tmp_path):
    for rel in ("a/0001/x.jpg", "b/0002/y.jpg", "lfw/P/P_0001.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(tmp_path / rel)
    (tmp_path / "pairs.txt").write_text("1 1\nP 1 1\nP 1 P 1\n")
    proc = dry_run(
        tmp_path,
        {
            "train_root": [str(tmp_path / "a"), str(tmp_path / "b")],
            "test_root": str(tmp_path / "lfw"),
            "pairs": str(tmp_path / "pairs.txt"),
        },
    )
    assert proc.returncode == 0, proc.stderr
    jobs = {
        line.split()[0]: int(line.split()[1])
        for line in proc.stdout.splitlines()
        if len(line.split()) == 2 and line.split()[1].isdigit()
    }
    config = yaml.safe_load((REPO / "config" / "celeba-lfw.yaml").read_text())
    cells = sum(len(spec.get("seeds", config.get("seeds", [0]))) for spec in config["methods"].values())
    assert jobs["detect"] == 2 and jobs["align"] == 2 and jobs["train"] == cells
