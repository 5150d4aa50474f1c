"""Assemble a run's tables and figures from its per-method metrics (only those its config asks for)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import evaluated_methods
from sphere.data.store import read_store
from sphere.report import depth, figures, tables, toy


def build_report(config: dict, run_dir: Path) -> None:
    run_dir = Path(run_dir)
    table_dir, figure_dir = run_dir / "tables", run_dir / "figures"
    wanted = config["tables"]
    accuracy = tables.accuracy_vs_m(config, run_dir)
    tables.write_table(accuracy, table_dir / "accuracy_vs_m.csv",
                       "LFW-protocol accuracy (%) vs margin m (10 folds, released rule)")
    figures.accuracy_vs_m(accuracy, figure_dir / "accuracy_vs_m.png")
    pairs = {m: pd.read_csv(run_dir / "metrics" / m / "pairs.csv") for m in wanted["accuracy_vs_m"]}
    figures.angle_histograms(pairs, figure_dir / "angle_hist.png")
    tables.write_table(tables.angle_table(config, run_dir, run_dir / "stores" / "test"), table_dir / "angle_stats.csv",
                       "Test-pair angles (degrees), 1st/99th percentiles and angular Fisher score (lower is better)")
    summary = {"run": config["run"], "lfw_acc": dict(zip(accuracy["method"], accuracy["lfw_acc"]))}
    if "loss_comparison" in wanted:
        losses = tables.loss_comparison(config, run_dir)
        tables.write_table(losses, table_dir / "loss_comparison.csv",
                           "Loss comparison: LFW-protocol accuracy (%); paper: 64-layer CNN on CASIA-WebFace")
        summary["loss_comparison"] = dict(zip(losses["method"], losses["lfw_acc"]))
    if "accuracy_vs_depth" in wanted:
        by_depth = depth.accuracy_vs_depth(config, run_dir)
        tables.write_table(by_depth, table_dir / "accuracy_vs_depth.csv",
                           "LFW-protocol accuracy (%) vs depth; paper end points from its Fig. 6")
        depth.depth_figure(by_depth, figure_dir / "accuracy_vs_depth.png")
    if wanted.get("toy"):
        toy_report(config, run_dir)
    if "megaface" in config:
        summary["megaface"] = megaface_report(config, run_dir)
    (run_dir / "training").mkdir(exist_ok=True)
    for method in config["methods"]:  # publish each training log beside the numbers it produced
        log = run_dir / "models" / method / "metrics.csv"
        if log.exists():  # absent only when a run diverged before its first log line
            shutil.copyfile(log, run_dir / "training" / f"{method}.csv")
    from sphere.atomic import write_text

    write_text(run_dir / "report.json", json.dumps(summary, indent=2) + "\n")


def toy_report(config: dict, run_dir: Path) -> None:
    """tables/toy_angles.csv and figures/sphere3d.png from the toy methods' 3-d features."""
    labels = read_store(run_dir / "stores" / "toy").index["label"].to_numpy()
    methods = config["tables"]["toy"]
    features = {m: np.load(run_dir / "features" / "toy" / f"{m}.npy") for m in methods}
    margins = {m: tables.method_margin(config["methods"][m]) for m in methods}
    angles = toy.toy_angles(features, labels, margins)
    angles["status"] = [tables.training_status(run_dir, m) for m in methods]
    tables.write_table(angles, run_dir / "tables" / "toy_angles.csv",
                       "Toy experiment (6 identities, 3-d features): pair angles (degrees) per m")
    toy.sphere_figure(features, labels, run_dir / "figures" / "sphere3d.png")


def megaface_report(config: dict, run_dir: Path) -> dict:
    """tables/megaface.csv (+ .md), figures/megaface_cmc.png and megaface_roc.png; the largest size's rank-1."""
    table = tables.megaface_table(config, run_dir)
    tables.write_table(table, run_dir / "tables" / "megaface.csv",
                       "MegaFace Challenge 1 (synthetic stand-in unless configured): rank-1 and TAR at FAR 1e-6 (%) "
                       "per distractor size; paper values at 1M distractors")
    results = {m: json.loads((run_dir / "metrics" / m / "megaface.json").read_text())
               for m in evaluated_methods(config, "megaface")}
    figures.megaface_cmc(results, run_dir / "figures" / "megaface_cmc.png")
    figures.megaface_roc(results, run_dir / "figures" / "megaface_roc.png")
    top = table[table["distractors"] == table["distractors"].max()]
    return {"distractors": int(table["distractors"].max()), "rank1": dict(zip(top["method"], top["rank1"]))}
