"""Assemble a run's tables and figures from its per-method metrics (only those its config asks for)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import evaluated_methods, method_seeds
from sphere.report import budget, depth, figures, tables, toy
from sphere.report.seeds import (
    cell_dir,
    cell_file,
    combined_status,
    read_metrics,
    rounded,
    seed_cells,
    summarise,
)
from sphere.store.io import read_store


def build_report(config: dict, run_dir: Path) -> None:
    """Every table the config asks for (each with its per-seed rows, tables/<table>_seeds.csv), figures,
    the training logs (training/<method>/seed<k>.csv) and report.json."""
    run_dir = Path(run_dir)
    table_dir, figure_dir = run_dir / "tables", run_dir / "figures"
    wanted = config["tables"]
    accuracy, seeds = tables.accuracy_vs_m(config, run_dir)
    tables.write_table(accuracy, table_dir / "accuracy_vs_m.csv",
                       "LFW-protocol accuracy (%) vs margin m (10 folds, released rule; mean over seeds, "
                       "95 % t-interval over seeds)", seeds)
    figures.accuracy_vs_m(accuracy, figure_dir / "accuracy_vs_m.png")
    pairs = {m: pd.read_csv(cell_dir(run_dir, "metrics", m, method_seeds(config, m)[0]) / "pairs.csv")
             for m in wanted["accuracy_vs_m"]}
    figures.angle_histograms(pairs, figure_dir / "angle_hist.png")
    angles, seeds = tables.angle_table(config, run_dir, run_dir / "stores" / "test")
    tables.write_table(angles, table_dir / "angle_stats.csv",
                       "Test-pair angles (degrees), 1st/99th percentiles and angular Fisher score (lower is better); "
                       "means over seeds", seeds)
    summary = {"run": config["run"], "lfw_acc": dict(zip(accuracy["method"], accuracy["lfw_acc"]))}
    if "loss_comparison" in wanted:
        losses, seeds = tables.loss_comparison(config, run_dir)
        tables.write_table(losses, table_dir / "loss_comparison.csv",
                           "Loss comparison: LFW-protocol accuracy (%); paper: 64-layer CNN on CASIA-WebFace", seeds)
        summary["loss_comparison"] = dict(zip(losses["method"], losses["lfw_acc"]))
    if "accuracy_vs_depth" in wanted:
        by_depth, seeds = depth.accuracy_vs_depth(config, run_dir)
        tables.write_table(by_depth, table_dir / "accuracy_vs_depth.csv",
                           "LFW-protocol accuracy (%) vs depth; paper end points from its Fig. 6", seeds)
        depth.depth_figure(by_depth, figure_dir / "accuracy_vs_depth.png")
    if wanted.get("budget"):
        by_budget, seeds = budget.budget_table(config, run_dir)
        tables.write_table(by_budget, table_dir / "budget.csv",
                           "Budget study: LFW-protocol accuracy (%) against training steps (each a full schedule)",
                           seeds)
        budget.budget_figure(by_budget, figure_dir / "budget.png")
    if wanted.get("toy"):
        toy_report(config, run_dir)
    if "megaface" in config:
        summary["megaface"] = megaface_report(config, run_dir)
    for method, seed in seed_cells(config, list(config["methods"])):  # each training log beside its numbers
        log = cell_dir(run_dir, "models", method, seed) / "metrics.csv"
        if log.exists():  # absent only when a run diverged before its first log line
            (run_dir / "training" / method).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, run_dir / "training" / method / f"seed{seed}.csv")
    from sphere.runtime import write_text

    write_text(run_dir / "report.json", json.dumps(summary, indent=2) + "\n")


def toy_report(config: dict, run_dir: Path) -> None:
    """tables/toy_angles.csv (means over seeds; per seed in toy_angles_seeds.csv) and figures/sphere3d.png
    (each method's first seed) from the toy methods' 3-d features."""
    labels = read_store(run_dir / "stores" / "toy").index["label"].to_numpy()
    methods = config["tables"]["toy"]
    cells = seed_cells(config, methods)
    features = {cell: np.load(cell_file(run_dir, "features/toy", *cell)) for cell in cells}
    long = toy.toy_angles(features, labels, {cell: None for cell in cells}).drop(columns=["m", "method"])
    long.insert(0, "method", [m for m, _ in cells])
    long.insert(1, "seed", [s for _, s in cells])
    angles = summarise(long)
    angles.insert(1, "m", [tables.method_margin(config["methods"][m]) for m in methods])
    angles["status"] = [combined_status({s: tables.training_status(run_dir, m, s) for s in method_seeds(config, m)})
                        for m in methods]
    tables.write_table(angles, run_dir / "tables" / "toy_angles.csv",
                       "Toy experiment (6 identities, 3-d features): pair angles (degrees) per m; means over seeds",
                       rounded(long))
    first = {m: features[(m, method_seeds(config, m)[0])] for m in methods}
    toy.sphere_figure(first, labels, run_dir / "figures" / "sphere3d.png")


def megaface_report(config: dict, run_dir: Path) -> dict:
    """tables/megaface.csv (+ .md), figures/megaface_cmc.png and megaface_roc.png; the largest size's rank-1."""
    table, seeds = tables.megaface_table(config, run_dir)
    tables.write_table(table, run_dir / "tables" / "megaface.csv",
                       "MegaFace Challenge 1 (synthetic stand-in unless configured): rank-1 and TAR at FAR 1e-6 (%) "
                       "per distractor size, means over seeds; paper values at 1M distractors", seeds)
    results = {m: read_metrics(run_dir, m, method_seeds(config, m)[0], "megaface.json")
               for m in evaluated_methods(config, "megaface")}  # curves of each method's first seed
    figures.megaface_cmc(results, run_dir / "figures" / "megaface_cmc.png")
    figures.megaface_roc(results, run_dir / "figures" / "megaface_roc.png")
    top = table[table["distractors"] == table["distractors"].max()]
    return {"distractors": int(table["distractors"].max()), "rank1": dict(zip(top["method"], top["rank1"]))}
