"""Assemble a run's tables and figures from its per-method metrics (only those its config asks for)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import evaluated_methods, method_seeds
from sphere.config.sections import RunConfig
from sphere.paths import RunPaths
from sphere.report import budget, depth, feature_norm, figures, tables, toy
from sphere.report.outputs import report_files, report_tables
from sphere.report.seeds import (
    combined_status,
    read_metrics,
    rounded,
    seed_cells,
    summarise,
)
from sphere.store.io import read_store


def build_report(cfg: RunConfig, run_dir: Path) -> list[Path]:
    """Every table the config asks for (each with its per-seed rows, tables/<table>_seeds.csv), figures, the
    training logs (training/<method>/seed<k>.csv; the feature-norm figure is drawn from them) and report.json: the
    files of `sphere.report.outputs.report_files`, which the Snakemake rule declares; returns them."""
    paths = RunPaths(run_dir)
    run_dir = paths.root
    names = report_tables(cfg)
    accuracy, seeds = tables.accuracy_vs_m(cfg, run_dir)
    tables.write_table(
        accuracy,
        paths.table("accuracy_vs_m"),
        "LFW-protocol accuracy (%) vs margin m (10 folds, released rule; mean over seeds, 95 % t-interval over seeds)",
        seeds,
    )
    figures.accuracy_vs_m(accuracy, paths.figure("accuracy_vs_m"))
    pairs = {m: pd.read_csv(paths.metrics(m, method_seeds(cfg, m)[0], "pairs.csv")) for m in cfg.tables.accuracy_vs_m}
    figures.angle_histograms(pairs, paths.figure("angle_hist"))
    angles, seeds = tables.angle_table(cfg, run_dir, paths.store("test"))
    tables.write_table(
        angles,
        paths.table("angle_stats"),
        "Test-pair angles (degrees), 1st/99th percentiles and angular Fisher score (lower is better); means over seeds",
        seeds,
    )
    summary = {"run": cfg.run, "lfw_acc": dict(zip(accuracy["method"], accuracy["lfw_acc"]))}
    if "loss_comparison" in names:
        losses, seeds = tables.loss_comparison(cfg, run_dir)
        tables.write_table(
            losses,
            paths.table("loss_comparison"),
            "Loss comparison: LFW-protocol accuracy (%); paper: 64-layer CNN on CASIA-WebFace",
            seeds,
        )
        summary["loss_comparison"] = dict(zip(losses["method"], losses["lfw_acc"]))
    if "accuracy_vs_depth" in names:
        by_depth, seeds = depth.accuracy_vs_depth(cfg, run_dir)
        tables.write_table(
            by_depth,
            paths.table("accuracy_vs_depth"),
            "LFW-protocol accuracy (%) vs depth; paper end points from its Fig. 6",
            seeds,
        )
        depth.depth_figure(by_depth, paths.figure("accuracy_vs_depth"))
    if "budget" in names:
        by_budget, seeds = budget.budget_table(cfg, run_dir)
        tables.write_table(
            by_budget,
            paths.table("budget"),
            "Budget study: LFW-protocol accuracy (%) against training steps (each a full schedule)",
            seeds,
        )
        budget.budget_figure(by_budget, paths.figure("budget"))
    if "toy_angles" in names:
        toy_report(cfg, run_dir)
    if "megaface" in names:
        summary["megaface"] = megaface_report(cfg, run_dir)
    cells = seed_cells(cfg, list(cfg.methods))
    for method, seed in cells:  # each training log beside its numbers
        log = paths.train_log(method, seed)
        if log.exists():  # `sphere train` writes it at the first log interval (and at a divergence)
            paths.training_log(method, seed).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, paths.training_log(method, seed))
    feature_norm.write(cfg, run_dir)  # from the copies: a redraw reads the same files
    from sphere.runtime import write_text

    write_text(paths.summary, json.dumps(summary, indent=2) + "\n")
    written = report_files(cfg, paths, cells)
    missing = [str(p) for p in written if not p.exists()]
    if missing:  # the list and the writers above disagree: a bug, not a user error
        raise RuntimeError(f"sphere report: listed in report_files but not written: {', '.join(missing)}")
    return written


def toy_report(cfg: RunConfig, run_dir: Path) -> None:
    """tables/toy_angles.csv (means over seeds; per seed in toy_angles_seeds.csv) and figures/sphere3d.png
    (each method's first seed) from the toy methods' 3-d features."""
    paths = RunPaths(run_dir)
    labels = read_store(paths.store("toy")).index["label"].to_numpy()
    methods = cfg.tables.toy
    cells = seed_cells(cfg, methods)
    features = {(m, s): np.load(paths.features(m, s, "toy")) for m, s in cells}
    long = toy.toy_angles(features, labels, {cell: None for cell in cells}).drop(columns=["m", "method"])
    long.insert(0, "method", [m for m, _ in cells])
    long.insert(1, "seed", [s for _, s in cells])
    angles = summarise(long)
    angles.insert(1, "m", [tables.method_margin(cfg.methods[m]) for m in methods])
    angles["status"] = [
        combined_status({s: tables.training_status(run_dir, m, s) for s in method_seeds(cfg, m)}) for m in methods
    ]
    tables.write_table(
        angles,
        paths.table("toy_angles"),
        "Toy experiment (6 identities, 3-d features): pair angles (degrees) per m; means over seeds",
        rounded(long),
    )
    first = {m: features[(m, method_seeds(cfg, m)[0])] for m in methods}
    toy.sphere_figure(first, labels, paths.figure("sphere3d"))


def megaface_report(cfg: RunConfig, run_dir: Path) -> dict:
    """tables/megaface.csv (+ .md), figures/megaface_cmc.png and megaface_roc.png; the largest size's rank-1."""
    paths = RunPaths(run_dir)
    table, seeds = tables.megaface_table(cfg, run_dir)
    tables.write_table(
        table,
        paths.table("megaface"),
        "MegaFace Challenge 1 (synthetic stand-in unless configured): rank-1 and TAR at FAR 1e-6 (%) "
        "per distractor size, means over seeds; paper values at 1M distractors",
        seeds,
    )
    results = {
        m: read_metrics(run_dir, m, method_seeds(cfg, m)[0], "megaface.json")
        for m in evaluated_methods(cfg, "megaface")
    }  # curves of each method's first seed
    figures.megaface_cmc(results, paths.figure("megaface_cmc"))
    figures.megaface_roc(results, paths.figure("megaface_roc"))
    top = table[table["distractors"] == table["distractors"].max()]
    return {"distractors": int(table["distractors"].max()), "rank1": dict(zip(top["method"], top["rank1"]))}
