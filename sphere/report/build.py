"""Assemble a run's tables and figures from its per-method metrics."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from sphere.report import figures, tables


def build_report(config: dict, run_dir: Path) -> None:
    run_dir = Path(run_dir)
    table_dir, figure_dir = run_dir / "tables", run_dir / "figures"
    accuracy = tables.accuracy_vs_m(config, run_dir)
    tables.write_table(accuracy, table_dir / "accuracy_vs_m.csv",
                       "LFW-protocol accuracy (%) vs margin m (10 folds, released rule)")
    angles = tables.angle_table(config, run_dir, run_dir / "stores" / "test")
    tables.write_table(angles, table_dir / "angle_stats.csv", "Test-pair angles (degrees) and angular Fisher score")
    pairs = {m: pd.read_csv(run_dir / "metrics" / m / "pairs.csv") for m in config["tables"]["accuracy_vs_m"]}
    figures.angle_histograms(pairs, figure_dir / "angle_hist.png")
    figures.accuracy_vs_m(accuracy, figure_dir / "accuracy_vs_m.png")
    for method in config["methods"]:  # publish each training log beside the numbers it produced
        (run_dir / "training").mkdir(exist_ok=True)
        shutil.copyfile(run_dir / "models" / method / "metrics.csv", run_dir / "training" / f"{method}.csv")
    summary = {"run": config["run"], "lfw_acc": dict(zip(accuracy["method"], accuracy["lfw_acc"]))}
    (run_dir / "report.json").write_text(json.dumps(summary, indent=2) + "\n")
