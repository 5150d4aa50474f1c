"""Accuracy vs network depth (the paper's Fig. 6 analog) for softmax and A-Softmax."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from sphere.config import train_config
from sphere.models.sphereface import UNITS
from sphere.report.figures import plt, save

# Fig. 6 end points (LFW %, CASIA-WebFace): 4 and 64 layers; the paper gives no middle values in text.
PAPER_DEPTH_LFW = {"softmax": {4: 96.60, 64: 97.75}, "asoftmax": {4: 98.20, 64: 99.42}}


def depth_of(model: str) -> int:
    """The depth a SphereFace model name states: 64 for both `sphereface64` and `sphereface64_released`."""
    match = re.fullmatch(r"sphereface(\d+)(_released)?", model)
    if not match or int(match.group(1)) not in UNITS:
        raise ValueError(f"{model} is not a SphereFace network")
    return int(match.group(1))


def accuracy_vs_depth(config: dict, run_dir: Path) -> pd.DataFrame:
    """One row per method of `tables.accuracy_vs_depth`: its loss, depth, width, LFW mean/std, paper end point."""
    rows = []
    for method in config["tables"]["accuracy_vs_depth"]:
        cfg = train_config(config, method)
        result = json.loads((run_dir / "metrics" / method / "lfw.json").read_text())
        depth = depth_of(cfg.model)
        rows.append({"method": method, "loss": cfg.loss, "depth": depth, "width": cfg.width,
                     "iterations": cfg.iterations, "lfw_acc": round(result["accuracy"], 2),
                     "lfw_std": round(result["std"], 2), "paper_lfw": PAPER_DEPTH_LFW.get(cfg.loss, {}).get(depth)})
    return pd.DataFrame(rows)


def depth_figure(table: pd.DataFrame, out: Path) -> None:
    """Accuracy against depth per loss; the paper's end points as hollow markers on a second axis."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    paper_ax = ax.twinx()
    for (loss, group), colour in zip(table.groupby("loss", sort=False), ("tab:blue", "tab:red", "tab:green")):
        group = group.sort_values("depth")
        ax.errorbar(group["depth"], group["lfw_acc"], yerr=group["lfw_std"], fmt="o-", color=colour, capsize=3,
                    label=f"{loss} (this run)")
        paper = group.dropna(subset=["paper_lfw"])
        paper_ax.plot(paper["depth"], paper["paper_lfw"], "s--", mfc="none", color=colour, label=f"{loss} (paper)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(table["depth"].unique()), [str(d) for d in sorted(table["depth"].unique())])
    ax.set_xlabel("conv layers (SphereFace-N)")
    ax.set_ylabel("LFW-protocol accuracy (%), this run")
    paper_ax.set_ylabel("paper LFW (%), CASIA, full width", color="0.4")
    ax.legend(loc="upper left", fontsize=7)
    paper_ax.legend(loc="lower right", fontsize=7)
    ax.set_title("Accuracy vs depth (paper Fig. 6 analog)", fontsize=10)
    save(fig, out)
