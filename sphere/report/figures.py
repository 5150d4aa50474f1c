"""Figures: pair-angle histograms (lower row of the paper's Fig. 5), accuracy vs m (Table 3) and MegaFace curves
(Fig. 7), drawn as a reader compares them with the paper: ours and the paper's on one accuracy axis, every error bar
named in its legend, type of at least 8 pt at the saved size (seaborn's "paper" context), one meaning per colour,
legends outside the data and titles left-aligned."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

DPI = 120
MIN_FONT_PT = 8
OURS, PAPER = "tab:blue", "0.35"  # accuracy_vs_m: colour says whose number it is
POSITIVE, NEGATIVE = "positive pairs", "negative pairs"
PAIRS = {POSITIVE: "tab:blue", NEGATIVE: "tab:orange"}  # angle_hist: colour says which pairs
ANGLE_BINS = np.linspace(0, 180, 61)
LineStyle = tuple[tuple[float, float, float], tuple[float, ...]]  # colour, dashes (on, off, ...; () solid)
DASHES: tuple[tuple[float, ...], ...] = ((), (4, 1.5), (1, 1.5))  # the 1st, 2nd and 3rd ten lines of a figure


@contextmanager
def styled() -> Iterator[None]:
    """seaborn's "paper" context (9.6 pt labels, 8.8 pt ticks and legends) on a white grid, for one figure."""
    with sns.plotting_context("paper"), sns.axes_style("whitegrid"):
        yield


def save(fig: plt.Figure, out: Path, constrained: bool = True) -> plt.Figure:
    """Lay out (matplotlib's constrained layout unless the figure has an engine or `constrained` is False: placed
    by hand), write (atomically, creating the folder) and release a figure; returns it (tests read its text)."""
    from sphere.runtime import atomic_path

    if constrained and fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=DPI, format=out.suffix.lstrip("."))
    plt.close(fig)
    return fig


def palette(names: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per name, in order of first appearance (a figure's one meaning of colour): tab10 up to ten
    names, else as many evenly spaced husl hues."""
    unique = list(dict.fromkeys(names))
    return dict(zip(unique, sns.color_palette("tab10" if len(unique) <= 10 else "husl", len(unique))))


def line_styles(names: Iterable[str]) -> dict[str, LineStyle]:
    """(colour, dashes) of one line per name, in order of first appearance: tab10's ten colours solid, then the
    same colours dashed, then dotted; a line is told by its colour and dash together, however many there are."""
    colours = sns.color_palette("tab10")
    return {name: (colours[i % 10], DASHES[min(i // 10, 2)]) for i, name in enumerate(dict.fromkeys(names))}


def method_lines(data: pd.DataFrame, x: str, y: str, styles: dict[str, LineStyle], ax: plt.Axes, **kws: Any) -> None:
    """seaborn lines of `data`, one per `method` in its `line_styles` style, without a legend of their own."""
    colours = {m: colour for m, (colour, _) in styles.items()}
    dashes = {m: dash for m, (_, dash) in styles.items()}
    sns.lineplot(
        data, x=x, y=y, hue="method", palette=colours, style="method", dashes=dashes, legend=False, ax=ax, **kws
    )


def line_legend(fig: plt.Figure, styles: dict[str, LineStyle], *extra: Line2D, **kws: Any) -> None:
    """The figure's legend outside its axes (right, unless `kws` say otherwise): one line per name of `styles`,
    then the `extra` handles."""
    handles = [Line2D([], [], color=c, linestyle=(0, d) if d else "-", label=m) for m, (c, d) in styles.items()]
    fig.legend(handles=[*handles, *extra], **{"loc": "outside right upper", "frameon": False, **kws})


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


def angle_panel(ax: plt.Axes, method: str, pairs: pd.DataFrame) -> None:
    """One method's angle densities of its positive and negative pairs, dashed at the largest positive and the
    smallest negative angle."""
    kind = pd.Series(np.where(pairs["same"].astype(bool), POSITIVE, NEGATIVE), index=pairs.index)
    sns.histplot(
        pairs.assign(pairs=kind),
        x="angle_deg",
        hue="pairs",
        hue_order=list(PAIRS),
        palette=PAIRS,
        bins=ANGLE_BINS,
        stat="density",
        common_norm=False,
        element="step",
        alpha=0.35,
        legend=False,
        ax=ax,
    )
    angles = pairs["angle_deg"]
    ax.axvline(angles[kind == POSITIVE].max(), color=PAIRS[POSITIVE], ls="--", lw=1.2)
    ax.axvline(angles[kind == NEGATIVE].min(), color=PAIRS[NEGATIVE], ls="--", lw=1.2)
    ax.set(title=method, xlim=(0, 180), xticks=range(0, 181, 45), xlabel="", ylabel="")


def pair_handles() -> list:
    """Legend entries of the angle histograms: the two kinds of pairs (colour) and the dashed extremes."""
    kinds: list = [Patch(facecolor=c, edgecolor=c, alpha=0.5, label=kind) for kind, c in PAIRS.items()]
    return kinds + [
        Line2D([], [], color=PAIRS[POSITIVE], ls="--", label="largest positive-pair angle"),
        Line2D([], [], color=PAIRS[NEGATIVE], ls="--", label="smallest negative-pair angle"),
    ]


def angle_histograms(pairs_by_method: dict[str, pd.DataFrame], out: Path) -> plt.Figure:
    """One panel per method, in rows of at most three: the angles between the features of positive and of negative
    test pairs (colour: which pairs), dashed the largest positive and the smallest negative angle."""
    n = len(pairs_by_method)
    cols = min(n, 3)
    rows = -(-n // cols)
    with styled():
        size = (max(2.5 * cols + 0.5, 5.0), 2.0 * rows + 1.3)  # wide enough for the legend and the title
        fig, axes = plt.subplots(rows, cols, figsize=size, sharey=True, squeeze=False)
        for i, (ax, (method, pairs)) in enumerate(zip(axes.flat, pairs_by_method.items())):
            angle_panel(ax, method, pairs)
            if i + cols >= n:  # no panel below it
                ax.set_xlabel("angle (degrees)")
        for ax in axes.flat[n:]:
            ax.remove()
        for ax in axes[:, 0]:
            ax.set_ylabel("density")
        fig.legend(handles=pair_handles(), loc="outside lower center", ncols=2, frameon=False)
        fig.suptitle("LFW test-pair angles per method\n(paper Fig. 5, lower row; each method's first seed)")
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
        ax.set_title(f"Accuracy vs margin m (Table 3); {gap_text(table['lfw_acc'], paper)}", loc="left", pad=38)
    return save(fig, out)


def _largest(results_by_method: dict[str, dict]) -> dict[str, dict]:
    return {m: max(r["results"], key=lambda x: x["distractors"]) for m, r in results_by_method.items()}


def _sizes(largest: dict[str, dict]) -> str:
    return ", ".join(f"{s:,}" for s in sorted({r["distractors"] for r in largest.values()}))


def cmc_curves(largest: dict[str, dict]) -> pd.DataFrame:
    """(method, rank, rate %) rows of each method's CMC."""
    frames = []
    for method, result in largest.items():
        cmc = 100 * np.asarray(result["identification"]["cmc"], float)
        frames.append(pd.DataFrame({"method": method, "rank": np.arange(1, len(cmc) + 1), "rate": cmc}))
    return pd.concat(frames, ignore_index=True)


def roc_curves(largest: dict[str, dict]) -> pd.DataFrame:
    """(method, far, tar %) rows of each method's ROC, without FAR 0 (no place on a log axis)."""
    frames = []
    for method, result in largest.items():
        roc = result["verification"]["roc"]
        frame = pd.DataFrame({"method": method, "far": roc["far"], "tar": 100 * np.asarray(roc["tar"], float)})
        frames.append(frame[frame["far"] > 0])
    return pd.concat(frames, ignore_index=True)


def megaface_cmc(results_by_method: dict[str, dict], out: Path) -> plt.Figure:
    """MegaFace CMC (identification rate vs rank) at the largest distractor size, one line per method (colour)."""
    largest = _largest(results_by_method)
    styles = line_styles(largest)
    with styled():
        fig, ax = plt.subplots(figsize=(6.0, 3.8))
        method_lines(cmc_curves(largest), "rank", "rate", styles, ax, marker="o")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="rank", ylabel="identification rate (%)")
        ax.set_title(
            f"MegaFace CMC (paper Fig. 7)\n{_sizes(largest)} distractors, each method's first seed", loc="left"
        )
        line_legend(fig, styles)
    return save(fig, out)


def megaface_roc(results_by_method: dict[str, dict], out: Path) -> plt.Figure:
    """MegaFace verification ROC (TAR vs FAR, log FAR) at the largest distractor size, one line per method (colour);
    dotted grey: 1 / impostor pairs, the smallest FAR the set resolves."""
    largest = _largest(results_by_method)
    styles = line_styles(largest)
    floor = min(1 / r["verification"]["n_impostor"] for r in largest.values())
    with styled():
        fig, ax = plt.subplots(figsize=(6.0, 3.8))
        method_lines(roc_curves(largest), "far", "tar", styles, ax, estimator=None)
        ax.axvline(floor, color="0.3", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set(xlabel="false accept rate", ylabel="true accept rate (%)")
        ax.set_title(
            f"MegaFace ROC (paper Fig. 7)\n{_sizes(largest)} distractors, each method's first seed", loc="left"
        )
        line_legend(fig, styles, Line2D([], [], color="0.3", ls=":", lw=1, label="1 / impostor pairs"))
    return save(fig, out)
