"""The whole DAG on a tiny synthetic config: raw faces to tables and figures in seconds."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def tiny_config(results: Path) -> dict:
    config = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
    config.update(run="tiny", results=str(results), crop=[28, 24])
    config["synthetic"].update(train_identities=6, train_images_per_identity=4, test_identities=8,
                               test_images_per_identity=3, folds=2, pairs_per_fold=4, raw_size=64)
    config["train"].update(width=0.125, feature_dim=8, batch_size=8, iterations=4, lr_steps=[3], log_every=2,
                           checkpoint_every=2)
    config["methods"] = {k: config["methods"][k] for k in ("softmax", "asoftmax-m4")}
    config["tables"] = {"accuracy_vs_m": ["softmax", "asoftmax-m4"]}
    return config


@pytest.mark.slow
def test_snakemake_regenerates_tables_and_figures(tmp_path):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(tmp_path / "results")))
    subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(tmp_path / "tiny.yaml")],
                   cwd=REPO, check=True, capture_output=True)
    run = tmp_path / "results" / "tiny"
    table = pd.read_csv(run / "tables" / "accuracy_vs_m.csv")
    assert list(table["method"]) == ["softmax", "asoftmax-m4"]
    assert {"method", "m", "lfw_acc", "lfw_std", "paper_lfw"} <= set(table.columns)
    assert table["lfw_acc"].between(0, 100).all() and table["paper_lfw"].tolist() == [97.88, 99.42]
    angles = pd.read_csv(run / "tables" / "angle_stats.csv")
    assert (angles["max_intra_deg"] >= angles["intra_p99_deg"]).all()
    for figure in ("angle_hist.png", "accuracy_vs_m.png"):
        assert (run / "figures" / figure).stat().st_size > 1000
    assert yaml.safe_load((run / "config.yaml").read_text())["run"] == "tiny"
    assert json.loads((run / "report.json").read_text())["run"] == "tiny"


def test_invalid_config_stops_the_run_naming_the_key(tmp_path):
    config = tiny_config(tmp_path / "results")
    config["train"]["batch_sise"] = 8
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile",
                          str(tmp_path / "bad.yaml")], cwd=REPO, capture_output=True, text=True)
    assert run.returncode != 0 and "batch_sise" in run.stdout + run.stderr
