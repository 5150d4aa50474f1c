"""Figures: pair-angle histograms (lower row of the paper's Fig. 5) and accuracy vs m."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def angle_histograms(pairs_by_method: dict[str, pd.DataFrame], out: Path) -> None:
    """One panel per method: angles between the features of positive and of negative test pairs."""
    n = len(pairs_by_method)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), sharey=True, squeeze=False)
    bins = np.linspace(0, 180, 61)
    for ax, (method, pairs) in zip(axes[0], pairs_by_method.items()):
        same = pairs["same"].to_numpy(bool)
        angles = pairs["angle_deg"].to_numpy()
        ax.hist(angles[same], bins=bins, alpha=0.6, color="tab:blue", label="positive pairs", density=True)
        ax.hist(angles[~same], bins=bins, alpha=0.6, color="tab:red", label="negative pairs", density=True)
        ax.axvline(angles[same].max(), color="tab:blue", ls="--", lw=1)
        ax.axvline(angles[~same].min(), color="tab:red", ls="--", lw=1)
        ax.set_title(method, fontsize=10)
        ax.set_xlabel("angle (degrees)")
        ax.set_xlim(0, 180)
    axes[0][0].set_ylabel("density")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Test-pair angles (dashed: max intra-class, min inter-class)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def accuracy_vs_m(table: pd.DataFrame, out: Path) -> None:
    """LFW accuracy per method with its fold std, and the paper's value where it has one."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    x = np.arange(len(table))
    ax.errorbar(x, table["lfw_acc"], yerr=table["lfw_std"], fmt="o-", capsize=3, label="sphere (this run)")
    paper = table["paper_lfw"].astype(float)
    if paper.notna().any():
        twin = ax.twinx()
        twin.plot(x, paper, "s--", color="tab:gray", label="paper (CASIA, 64 layers)")
        twin.set_ylabel("paper LFW (%)", color="tab:gray")
        twin.legend(loc="lower right", fontsize=7)
    ax.set_xticks(x, table["method"], rotation=20, fontsize=8)
    ax.set_ylabel("LFW-protocol accuracy (%)")
    ax.legend(loc="upper left", fontsize=7)
    ax.set_title("Accuracy vs margin m (10-fold, released rule)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
