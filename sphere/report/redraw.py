"""Redraw a run's figures from what it commits (`sphere report --figures-only`): the tables under tables/ hold
every number the accuracy, depth, budget and claims figures show, the training logs under training/ those of the
feature-norm figure; the angle histograms, the toy spheres and the MegaFace curves need per-cell results (metrics/,
features/), redrawn only where the run still has them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import evaluated_methods, method_seeds
from sphere.config.sections import RunConfig
from sphere.paths import RunPaths
from sphere.report import budget, depth, feature_norm, figures, toy
from sphere.report.outputs import CLAIMS, FEATURE_NORM, report_figures
from sphere.report.seeds import read_metrics


def from_tables(paths: RunPaths, name: str) -> pd.DataFrame | None:
    """tables/<name>.csv, or None where the run has no such table."""
    return pd.read_csv(paths.table(name)) if paths.table(name).exists() else None


def first_seeds(cfg: RunConfig, methods: list[str]) -> dict[str, int]:
    return {m: method_seeds(cfg, m)[0] for m in methods}


def angle_figure(cfg: RunConfig, paths: RunPaths) -> bool:
    cells = first_seeds(cfg, cfg.tables.accuracy_vs_m)
    files = {m: paths.metrics(m, s, "pairs.csv") for m, s in cells.items()}
    if not all(f.exists() for f in files.values()):
        return False
    figures.angle_histograms({m: pd.read_csv(f) for m, f in files.items()}, paths.figure("angle_hist"))
    return True


def sphere_figure(cfg: RunConfig, paths: RunPaths) -> bool:
    from sphere.store.io import read_store

    cells = first_seeds(cfg, cfg.tables.toy)
    files = {m: paths.features(m, s, "toy") for m, s in cells.items()}
    if not paths.store_index("toy").exists() or not all(f.exists() for f in files.values()):
        return False
    labels = read_store(paths.store("toy")).index["label"].to_numpy()
    toy.sphere_figure({m: np.load(f) for m, f in files.items()}, labels, paths.figure("sphere3d"))
    return True


def megaface_figures(cfg: RunConfig, paths: RunPaths) -> bool:
    cells = first_seeds(cfg, evaluated_methods(cfg, "megaface"))
    if not all(paths.metrics(m, s, "megaface.json").exists() for m, s in cells.items()):
        return False
    results = {m: read_metrics(paths.root, m, s, "megaface.json") for m, s in cells.items()}
    figures.megaface_cmc(results, paths.figure("megaface_cmc"))
    figures.megaface_roc(results, paths.figure("megaface_roc"))
    return True


def table_figure(paths: RunPaths, name: str) -> bool:
    """A figure drawn from its table alone (tables/<name>.csv), if the run has it."""
    from sphere.report.claims import forest_plot

    draw = {
        "accuracy_vs_m": figures.accuracy_vs_m,
        "accuracy_vs_depth": depth.depth_figure,
        "budget": budget.budget_figure,
        CLAIMS: forest_plot,
    }[name]
    table = from_tables(paths, name)
    if table is None or not len(table):
        return False
    draw(table, paths.figure(name))
    return True


def redraw_figures(cfg: RunConfig, run_dir: Path) -> tuple[list[str], list[str]]:
    """Every figure of the run that its files allow: (drawn, skipped) figure names. A figure is skipped where
    its table is absent, or its per-cell results are (a fresh clone has only the tables and the training logs), or
    no training log has the columns the feature-norm figure draws."""
    paths = RunPaths(run_dir)
    drawn: list[str] = []
    skipped: list[str] = []
    for name in report_figures(cfg) + [CLAIMS]:
        if name == "angle_hist":
            done = angle_figure(cfg, paths)
        elif name == "sphere3d":
            done = sphere_figure(cfg, paths)
        elif name == "megaface_cmc":
            done = megaface_figures(cfg, paths)
        elif name == "megaface_roc":  # drawn with the CMC
            done = "megaface_cmc" in drawn
        elif name == FEATURE_NORM:
            done = feature_norm.draw(cfg, paths.root)
        else:
            done = table_figure(paths, name)
        (drawn if done else skipped).append(name)
    return drawn, skipped
