"""Feature norm and target angle during training (issue 25): `sphere train` logs, every interval, the mean feature
norm ||x|| and the mean angle theta_y (degrees) between a feature and its class weight (metrics.csv, committed as
training/<method>/seed<k>.csv). figures/feature_norm.png draws both against the training step, one line per loss of
the accuracy_vs_m and loss_comparison tables (mean over its seeds): A-Softmax leaves ||x|| free, the normalised heads
fix the scale s. Drawn from the committed logs alone, so `sphere report --figures-only` redraws it."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.ticker import LogFormatter

from sphere.config.sections import RunConfig
from sphere.paths import RunPaths
from sphere.report import tables
from sphere.report.figures import line_legend, line_styles, method_lines, plt, save, styled
from sphere.report.outputs import FEATURE_NORM, TRAINING_DYNAMICS
from sphere.report.seeds import read_metrics, rounded, seed_cells, summarise

MONITORED = ("feature_norm", "theta_y_deg")  # sphere.train.loop.MONITORED (the report does not import torch)
PANELS = {  # column: (panel title, y label)
    "feature_norm": ("feature norm", r"mean $\Vert x \Vert$"),
    "theta_y_deg": ("target angle: feature vs its class weight", r"mean $\theta_y$ (degrees)"),
}


def figure_methods(cfg: RunConfig) -> list[str]:
    """The losses the figure compares: the methods of accuracy_vs_m, then those of loss_comparison, each once."""
    return list(dict.fromkeys([*cfg.tables.accuracy_vs_m, *cfg.tables.loss_comparison]))


def read_logs(cfg: RunConfig, paths: RunPaths, methods: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """(method, seed, step, feature_norm, theta_y_deg) rows of the committed training logs of `methods` that have
    both columns; and the methods none of whose logs has them (written before issue 25, or not committed)."""
    frames = []
    for method, seed in seed_cells(cfg, methods):
        log = paths.training_log(method, seed)
        frame = pd.read_csv(log) if log.exists() else pd.DataFrame()
        if set(MONITORED) <= set(frame.columns):
            frames.append(frame[["step", *MONITORED]].assign(method=method, seed=seed))
    columns = ["step", *MONITORED, "method", "seed"]
    logs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return logs, [m for m in methods if m not in set(logs["method"])]


def notes(logs: pd.DataFrame, skipped: list[str]) -> list[str]:
    """What the figure leaves out, one sentence each: methods without the logged columns, and those without a
    target angle (heads without class weights log it blank)."""
    angled = set(logs.dropna(subset=["theta_y_deg"])["method"])
    unangled = [m for m in dict.fromkeys(logs["method"]) if m not in angled]
    said = [f"not drawn (no {' / '.join(MONITORED)} in their logs yet): {', '.join(skipped)}"] if skipped else []
    return said + ([f"no class weights, so no target angle: {', '.join(unangled)}"] if unangled else [])


def feature_norm_figure(logs: pd.DataFrame, out: Path, skipped: list[str] | None = None) -> plt.Figure:
    """Mean feature norm (log scale) and mean target angle against training step, two panels, one line per loss
    (colour), each the mean over the loss's seeds; the title names what is left out (`notes`)."""
    styles = line_styles(logs["method"])
    with styled():
        fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.0), sharex=True)
        for ax, column in zip(axes, MONITORED):
            if len(logs):
                method_lines(logs, "step", column, styles, ax, errorbar=None)
            title, label = PANELS[column]
            ax.set(xlabel="training step", ylabel=label)
            ax.set_title(title, loc="left")
        if logs["feature_norm"].gt(0).any():
            axes[0].set_yscale("log")
            for ticks in (axes[0].yaxis.set_major_formatter, axes[0].yaxis.set_minor_formatter):
                ticks(LogFormatter(labelOnlyBase=False))  # 6, 10, 20 rather than 6x10^0, 10^1, 2x10^1
        line_legend(fig, styles, loc="outside lower center", ncols=5)
        lines = ["Feature norm and target angle during training; each line the mean over the loss's seeds"]
        lines += [textwrap.fill(note, 90) for note in notes(logs, skipped or [])]
        fig.suptitle("\n".join(lines), x=0.02, ha="left")
    return save(fig, out)


def draw(cfg: RunConfig, run_dir: Path, always: bool = False) -> bool:
    """figures/feature_norm.png from the run's committed training logs; the methods whose logs lack the columns are
    named on stderr and in the figure. Without any such log it is drawn only when `always` (sphere report, which
    declares the file), so a redraw leaves a committed figure as it is. True when drawn."""
    paths = RunPaths(run_dir)
    return _draw(paths, *read_logs(cfg, paths, figure_methods(cfg)), always)


def _draw(paths: RunPaths, logs: pd.DataFrame, skipped: list[str], always: bool) -> bool:
    if skipped:
        print(
            f"{FEATURE_NORM}: no {' / '.join(MONITORED)} in the training logs of {', '.join(skipped)}", file=sys.stderr
        )
    if logs.empty and not always:
        return False
    feature_norm_figure(logs, paths.figure(FEATURE_NORM), skipped)
    return True


def end_values(logs: pd.DataFrame, accuracy: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where each training log ends: the last logged step with a finite loss (a diverged training stops early)
    and its feature norm and target angle, per (method, seed), with the LFW accuracy of that model where
    `accuracy` ({(method, seed): %}) has it; and per method the mean over seeds."""
    finite = logs.dropna(subset=["feature_norm"]).sort_values("step", kind="stable")
    last = finite.groupby(["method", "seed"], sort=False).tail(1)
    order = {m: i for i, m in enumerate(dict.fromkeys(logs["method"]))}
    seeds = last.sort_values(["method", "seed"], key=lambda c: c.map(order) if c.name == "method" else c)
    seeds = seeds[["method", "seed", "step", *MONITORED]].reset_index(drop=True)
    if accuracy is not None:
        seeds["lfw_acc"] = [accuracy.get((m, s), float("nan")) for m, s in zip(seeds["method"], seeds["seed"])]
    table = summarise(seeds)
    return table.assign(step=table["step"].round().astype(int)), rounded(seeds)  # the step: a mean over seeds


def lfw_accuracy(paths: RunPaths, cells: list[tuple[str, int]]) -> dict[tuple[str, int], float]:
    """{(method, seed): LFW accuracy (%)} of the cells whose lfw.json exists."""
    return {
        (method, seed): float(read_metrics(paths.root, method, seed, "lfw.json")["accuracy"])
        for method, seed in cells
        if paths.metrics(method, seed, "lfw.json").exists()
    }


def write(cfg: RunConfig, run_dir: Path) -> None:
    """figures/feature_norm.png (always) and tables/training_dynamics.csv (+ .md, _seeds.csv) from one reading of
    the run's committed training logs, with its LFW results."""
    paths = RunPaths(run_dir)
    methods = figure_methods(cfg)
    logs, skipped = read_logs(cfg, paths, methods)
    _draw(paths, logs, skipped, always=True)
    table, seeds = end_values(logs, lfw_accuracy(paths, seed_cells(cfg, methods)))
    title = (
        "Where training ends: last logged step, mean feature norm ||x|| and mean target angle theta_y (degrees) "
        "over its last interval, and the LFW accuracy (%, released rule) of those models; means over seeds "
        "(figures/feature_norm.png draws the whole run)"
    )
    tables.write_table(table, paths.table(TRAINING_DYNAMICS), title, seeds)
