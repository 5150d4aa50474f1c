"""Accuracy vs network depth (the paper's Fig. 6 analog) for softmax and A-Softmax."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sphere.config import method_train
from sphere.config.sections import RunConfig
from sphere.report.figures import error_bars, gap_text, plt, save, sns, styled
from sphere.report.tables import per_method

# Fig. 6 end points (LFW %, CASIA-WebFace): 4 and 64 layers; the paper gives no middle values in text.
PAPER_DEPTH_LFW = {"softmax": {4: 96.60, 64: 97.75}, "asoftmax": {4: 98.20, 64: 99.42}}


def depth_of(model: str) -> int:
    """The depth a SphereFace model name states: 64 for both `sphereface64` and `sphereface64_released`.
    (The config schema admits only the registry's depths, so the report need not import the models, or torch.)"""
    match = re.fullmatch(r"sphereface(\d+)(_released)?", model)
    if not match:
        raise ValueError(f"{model} is not a SphereFace network")
    return int(match.group(1))


def accuracy_vs_depth(cfg: RunConfig, run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per method of `tables.accuracy_vs_depth`: its loss, depth, width, iterations, LFW over seeds
    (as `tables.accuracy_vs_m`), the paper's end point; and the per-seed rows."""
    methods = cfg.tables.accuracy_vs_depth
    table, long = per_method(cfg, run_dir, methods)
    dropped = [c for c in table.columns if c.startswith("ytf_") or c in ("lfw_auc", "lfw_tar_far1e-3")]
    table = table.drop(columns=dropped)
    settings = [method_train(cfg, m) for m in methods]
    for i, (name, values) in enumerate(
        [
            ("loss", [c.loss for c in settings]),
            ("depth", [depth_of(c.model) for c in settings]),
            ("width", [c.width for c in settings]),
            ("iterations", [c.iterations for c in settings]),
        ]
    ):
        table.insert(1 + i, name, values)
    table["paper_lfw"] = [PAPER_DEPTH_LFW.get(c.loss, {}).get(depth_of(c.model)) for c in settings]
    return table.drop(columns=["status"]), long.drop(columns=[c for c in long.columns if c.startswith("ytf_")])


def depth_figure(table: pd.DataFrame, out: Path) -> plt.Figure:
    """Accuracy against depth per loss (Fig. 6): ours filled, the paper's end points hollow, one accuracy axis;
    colour is the loss."""
    with styled():
        fig, ax = plt.subplots(figsize=(5.6, 3.8))
        palette = dict(zip(table["loss"].unique(), sns.color_palette("tab10")))
        bars = error_bars(table)[2]
        for loss, group in table.groupby("loss", sort=False):
            group = group.sort_values("depth")
            low, high, _ = error_bars(group) if bars.startswith("95") else (group["lfw_std"], group["lfw_std"], "")
            ax.errorbar(
                group["depth"],
                group["lfw_acc"],
                yerr=[low, high],
                fmt="o-",
                color=palette[loss],
                capsize=3,
                label=f"{loss}, ours",
            )
            paper = group.dropna(subset=["paper_lfw"])
            ax.plot(paper["depth"], paper["paper_lfw"], "s--", mfc="white", color=palette[loss], label=f"{loss}, paper")
        ax.set_xscale("log", base=2)
        depths = sorted(table["depth"].unique())
        ax.set_xticks(depths, [str(d) for d in depths])
        ax.minorticks_off()
        ax.set_xlabel("conv layers (SphereFace-N)")
        ax.set_ylabel("LFW-protocol accuracy (%)")
        fig.legend(loc="outside lower center", ncols=2, title="filled: ours; hollow: paper (CASIA-WebFace, full width)")
        gap = gap_text(table["lfw_acc"], table["paper_lfw"])
        ax.set_title(f"Accuracy vs depth (paper Fig. 6); {gap}\nbars: {bars}", loc="left")
    return save(fig, out)
