"""config/paper.yaml plans every table and figure CASIA + LFW + YTF + MegaFace allow, Fig. 6's five depths
included, from raw folders or from RecordIO (`data.source`, one key), checked by `snakemake -n` with the config's
/data paths pointed at empty stand-ins (a dry run reads no data)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sphere.benchmarks import BENCHMARKS
from sphere.config import load_config, train_config
from tests.workflow.dag import job_counts

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "config" / "paper.yaml"
DEPTHS = {"sphereface4": 4, "sphereface10": 10, "sphereface20": 20, "sphereface36": 36, "sphereface64": 64}

pytestmark = pytest.mark.slow  # each dry run parses the workflow: about 10 s on two cores


def test_depth_figure_has_five_depths_of_both_losses_on_lfw_and_ytf():
    config = load_config(PAPER)
    depth = config["tables"]["accuracy_vs_depth"]
    by_loss: dict[str, set[int]] = {}
    for method in depth:
        by_loss.setdefault(config["methods"][method]["loss"], set()).add(DEPTHS[train_config(config, method).model])
    assert by_loss == {"softmax": set(DEPTHS.values()), "asoftmax": set(DEPTHS.values())}
    assert set(depth) <= set(config["ytf"]["methods"])  # Fig. 6 shows YTF beside LFW
    assert set(config["tables"]) == {"accuracy_vs_m", "loss_comparison", "accuracy_vs_depth", "toy"}


def stand_in_config(tmp_path: Path, source: str) -> Path:
    """paper.yaml with every /data path an empty file or folder under tmp_path."""
    config = yaml.safe_load(PAPER.read_text())
    for section in ("data", "ytf", "megaface", "evaluate"):
        for key, value in config[section].items():
            if isinstance(value, str) and value.startswith("/data/"):
                path = tmp_path / "data" / value.removeprefix("/data/")
                if path.suffix:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.touch()
                else:
                    path.mkdir(parents=True, exist_ok=True)
                config[section][key] = str(path)
    Path(config["data"]["train_rec"]).with_suffix(".idx").touch()
    for name in config["evaluate"]["benchmarks"]:  # the .bin sets under bin_root
        if name not in ("lfw", "ytf"):
            (Path(config["evaluate"]["bin_root"]) / BENCHMARKS[name].file).touch()
    config["data"]["source"] = source
    config["results"] = str(tmp_path / "results")
    (tmp_path / "paper.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return tmp_path / "paper.yaml"


@pytest.mark.parametrize("source", ["folders", "recordio"])
def test_paper_config_plans_every_table_from_either_source(tmp_path, source):
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--nolock", "--configfile", str(stand_in_config(tmp_path, source))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    counts = job_counts(output)
    config = load_config(PAPER)
    trained = set(re.findall(r"wildcards: method=([^,\s]+), seed=0", output))
    assert trained == set(config["methods"])  # every method: Fig. 6's ten cells, the tables' and the toy's
    assert counts["train"] + counts["train_toy"] == len(config["methods"])
    assert counts["ytf"] == len(config["ytf"]["methods"]) and counts["megaface"] == len(config["megaface"]["methods"])
    scored = re.findall(r"wildcards: method=([^,\s]+), bench=(\w+)", output)  # the .bin sets, by the model
    assert {b for _, b in scored} == set(config["evaluate"]["benchmarks"])
    assert len(scored) == len(config["evaluate"]["methods"]) * len(config["evaluate"]["benchmarks"])
    if source == "recordio":  # the train store from train.rec, no detection of the training set
        assert counts["store_recordio"] == 1 and counts["align"] == 4 and counts["detect"] == 1
    else:
        assert "store_recordio" not in counts and counts["align"] == 5 and counts["detect"] == 2
