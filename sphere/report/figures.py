"""Figures: pair-angle histograms (lower row of the paper's Fig. 5), accuracy vs m (Table 3) and MegaFace curves
(Fig. 7), drawn as a reader compares them with the paper: ours and the paper's on one accuracy axis, every error bar
named in its legend, type of at least 8 pt at the saved size (seaborn's "paper" context), one meaning per colour."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

DPI = 120
MIN_FONT_PT = 8
OURS, PAPER = "tab:blue", "0.35"  # accuracy_vs_m: colour says whose number it is


@contextmanager
def styled() -> Iterator[None]:
    """seaborn's "paper" context (9.6 pt labels, 8.8 pt ticks and legends) on a white grid, for one figure."""
    with sns.plotting_context("paper"), sns.axes_style("whitegrid"):
        yield


def save(fig: plt.Figure, out: Path) -> plt.Figure:
    """Lay out, write (atomically, creating the folder) and release a figure; returns it (tests read its text)."""
    from sphere.runtime import atomic_path

    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=DPI, format=out.suffix.lstrip("."))
    plt.close(fig)
    return fig


def error_bars(table: pd.DataFrame, prefix: str = "lfw") -> tuple[np.ndarray, np.ndarray, str]:
    """Lower and upper error of `<prefix>_acc` and what they are: the 95 % t-interval over seeds where every row
    has two or more seeds (tables.summarise), else +-1 std over the protocol's folds (mean over seeds)."""
    acc = table[f"{prefix}_acc"].to_numpy(float)
    folds = "10 LFW folds" if prefix == "lfw" else "10 YTF splits"
    if "seeds" in table and (table["seeds"] >= 2).all() and table[f"{prefix}_ci_low"].notna().all():
        low, high = table[f"{prefix}_ci_low"].to_numpy(float), table[f"{prefix}_ci_high"].to_numpy(float)
        seeds = sorted(set(table["seeds"].astype(int)))
        return acc - low, high - acc, f"95 % t-interval over {'/'.join(map(str, seeds))} seeds"
    std = table[f"{prefix}_std"].to_numpy(float)
    return std, std, f"+-1 std over the {folds}"


def gap_text(ours: pd.Series, paper: pd.Series) -> str:
    """'paper - ours: a to b points' over the rows with a paper value."""
    gap = (paper.astype(float) - ours.astype(float)).dropna()
    if gap.empty:
        return "no paper value"
    low, high = gap.min(), gap.max()
    return f"paper - ours: {low:+.1f} points" if np.isclose(low, high) else f"paper - ours: {low:+.1f} to {high:+.1f}"


def angle_histograms(pairs_by_method: dict[str, pd.DataFrame], out: Path) -> plt.Figure:
    """One panel per method: angles between the features of positive and of negative test pairs."""
    n = len(pairs_by_method)
    with styled():
        fig, axes = plt.subplots(1, n, figsize=(2.4 * n + 0.6, 2.7), sharey=True, squeeze=False)
        bins = np.linspace(0, 180, 61)
        for ax, (method, pairs) in zip(axes[0], pairs_by_method.items()):
            same = pairs["same"].to_numpy(bool)
            angles = pairs["angle_deg"].to_numpy()
            for kind, mask, colour in (("positive pairs", same, "tab:blue"), ("negative pairs", ~same, "tab:orange")):
                ax.hist(angles[mask], bins=bins, alpha=0.6, color=colour, label=kind, density=True)
            ax.axvline(angles[same].max(), color="tab:blue", ls="--", lw=1, label="max intra-class angle")
            ax.axvline(angles[~same].min(), color="tab:orange", ls="--", lw=1, label="min inter-class angle")
            ax.set_title(method)
            ax.set_xlabel("angle (degrees)")
            ax.set_xlim(0, 180)
        axes[0][0].set_ylabel("density")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=4)
        fig.suptitle("LFW test-pair angles per method (paper Fig. 5, lower row)")
    return save(fig, out)


def accuracy_vs_m(table: pd.DataFrame, out: Path) -> plt.Figure:
    """LFW accuracy per method (Table 3): ours with its error bar and the paper's value, on one axis."""
    low, high, bars = error_bars(table)
    x = np.arange(len(table))
    paper = table["paper_lfw"].astype(float)
    with styled():
        fig, ax = plt.subplots(figsize=(5.6, 3.6))
        ax.errorbar(
            x, table["lfw_acc"], yerr=[low, high], fmt="o-", color=OURS, capsize=3, label=f"ours (bars: {bars})"
        )
        if paper.notna().any():
            ax.plot(x, paper, "s--", mfc="white", color=PAPER, label="paper (64 layers, CASIA-WebFace)")
        ax.set_xticks(x, table["method"], rotation=20, ha="right")
        ax.set_ylabel("LFW-protocol accuracy (%)")
        ax.set_xlabel("loss (A-Softmax margin m)")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), borderaxespad=0, frameon=False)
        ax.set_title(f"Accuracy vs margin m (Table 3); {gap_text(table['lfw_acc'], paper)}", loc="left", pad=34)
    return save(fig, out)


def _largest(results_by_method: dict[str, dict]) -> dict[str, dict]:
    return {m: max(r["results"], key=lambda x: x["distractors"]) for m, r in results_by_method.items()}


def _sizes(largest: dict[str, dict]) -> str:
    return ", ".join(f"{s:,}" for s in sorted({r["distractors"] for r in largest.values()}))


def megaface_cmc(results_by_method: dict[str, dict], out: Path) -> plt.Figure:
    """MegaFace CMC (identification rate vs rank) at the largest distractor size, one line per method."""
    largest = _largest(results_by_method)
    with styled():
        fig, ax = plt.subplots(figsize=(5.2, 3.6))
        palette = sns.color_palette("tab10", len(largest))
        for colour, (method, r) in zip(palette, largest.items()):
            cmc = 100 * np.asarray(r["identification"]["cmc"])
            ax.plot(np.arange(1, len(cmc) + 1), cmc, "o-", ms=3, color=colour, label=method)
        ax.set_xlabel("rank")
        ax.set_ylabel("identification rate (%)")
        ax.set_title(f"MegaFace CMC, {_sizes(largest)} distractors (first seed; paper Fig. 7)")
        fig.legend(loc="outside right upper")
    return save(fig, out)


def megaface_roc(results_by_method: dict[str, dict], out: Path) -> plt.Figure:
    """MegaFace verification ROC (TAR vs FAR, log FAR) at the largest distractor size, one line per method."""
    largest = _largest(results_by_method)
    with styled():
        fig, ax = plt.subplots(figsize=(5.2, 3.6))
        palette = sns.color_palette("tab10", len(largest))
        for colour, (method, r) in zip(palette, largest.items()):
            roc = r["verification"]["roc"]
            far, tar = np.asarray(roc["far"]), 100 * np.asarray(roc["tar"])
            keep = far > 0  # FAR 0 has no place on a log axis
            ax.plot(far[keep], tar[keep], color=colour, label=method)
        floor = min(1 / r["verification"]["n_impostor"] for r in largest.values())
        ax.axvline(floor, color="0.3", ls=":", lw=1, label="1 / impostor pairs")
        ax.set_xscale("log")
        ax.set_xlabel("false accept rate")
        ax.set_ylabel("true accept rate (%)")
        ax.set_title(f"MegaFace ROC, {_sizes(largest)} distractors (first seed; paper Fig. 7)")
        fig.legend(loc="outside right upper")
    return save(fig, out)
