"""Figures: pair-angle histograms (lower row of the paper's Fig. 5) and accuracy vs m."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def save(fig: plt.Figure, out: Path) -> None:
    """Lay out, write (atomically, creating the folder) and release a figure."""
    from sphere.runtime import atomic_path

    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=120, format=out.suffix.lstrip("."))
    plt.close(fig)


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
    save(fig, out)


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
    save(fig, out)


def _largest(results_by_method: dict[str, dict]) -> dict[str, dict]:
    return {m: max(r["results"], key=lambda x: x["distractors"]) for m, r in results_by_method.items()}


def megaface_cmc(results_by_method: dict[str, dict], out: Path) -> None:
    """MegaFace CMC (identification rate vs rank) at the largest distractor size, one line per method."""
    fig, ax = plt.subplots(figsize=(5.0, 3.4))
    largest = _largest(results_by_method)
    for method, r in largest.items():
        cmc = 100 * np.asarray(r["identification"]["cmc"])
        ax.plot(np.arange(1, len(cmc) + 1), cmc, "o-", ms=3, label=method)
    sizes = {r["distractors"] for r in largest.values()}
    ax.set_xlabel("rank")
    ax.set_ylabel("identification rate (%)")
    ax.set_title(f"MegaFace CMC, {', '.join(f'{s:,}' for s in sorted(sizes))} distractors", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    save(fig, out)


def megaface_roc(results_by_method: dict[str, dict], out: Path) -> None:
    """MegaFace verification ROC (TAR vs FAR, log FAR) at the largest distractor size, one line per method."""
    fig, ax = plt.subplots(figsize=(5.0, 3.4))
    largest = _largest(results_by_method)
    for method, r in largest.items():
        roc = r["verification"]["roc"]
        far, tar = np.asarray(roc["far"]), 100 * np.asarray(roc["tar"])
        keep = far > 0  # FAR 0 has no place on a log axis
        ax.plot(far[keep], tar[keep], label=method)
        ax.axvline(1 / r["verification"]["n_impostor"], color="tab:gray", ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("false accept rate (dotted: 1 / impostor pairs)")
    ax.set_ylabel("true accept rate (%)")
    sizes = {r["distractors"] for r in largest.values()}
    ax.set_title(f"MegaFace ROC, {', '.join(f'{s:,}' for s in sorted(sizes))} distractors", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    save(fig, out)
