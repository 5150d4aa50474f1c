"""Every figure of the report, drawn from small fixture data: it is written at the size it claims, no text leaves
the canvas (matplotlib's tight bounding box within the figure) at the saved dpi and at 100 dpi, no title, axis label
or legend overlaps another, and no text is under 8 pt at the saved size."""

from __future__ import annotations

from pathlib import Path

import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from sphere.config import typed
from sphere.paths import RunPaths
from sphere.report import budget, depth, feature_norm, figures, toy
from sphere.report.claims import forest_plot

METHODS = ["softmax", "asoftmax-m1", "asoftmax-m2", "asoftmax-m3", "asoftmax-m4"]


def seeds_table(rng: np.random.Generator, n: int, seeds: int) -> dict:
    acc = rng.uniform(80, 90, n)
    ci = rng.uniform(0.3, 1.5, n) if seeds > 1 else np.full(n, np.nan)
    return {
        "lfw_acc": acc,
        "lfw_std": rng.uniform(1, 2.5, n),
        "lfw_ci_low": acc - ci,
        "lfw_ci_high": acc + ci,
        "seeds": [seeds] * n,
    }


def accuracy_table(rng):
    return pd.DataFrame({"method": METHODS, **seeds_table(rng, 5, 3), "paper_lfw": [97.88, 97.9, 98.4, 99.25, 99.42]})


def depth_table(rng):
    return pd.DataFrame(
        {
            "method": [f"x{i}" for i in range(6)],
            "loss": ["softmax"] * 3 + ["asoftmax"] * 3,
            "depth": [4, 10, 20] * 2,
            **seeds_table(rng, 6, 1),
            "paper_lfw": [96.6, None, None, 98.2, None, None],
        }
    )


def budget_table(rng):
    return pd.DataFrame(
        {
            "method": [f"b{i}" for i in range(6)],
            "loss": ["softmax"] * 3 + ["asoftmax"] * 3,
            "lr": [0.1] * 6,
            "iterations": [500, 1500, 3000] * 2,
            **seeds_table(rng, 6, 1),
            "status": ["ok", "ok", "diverged: non-finite loss at step 9; weights of step 5"] + ["ok"] * 3,
        }
    )


def claims_table():
    long = "deeper is better: A-Softmax (m=4) SphereFace-20 beats SphereFace-4 (Fig. 6; paper: 64 vs 4)"
    return pd.DataFrame(
        {
            "id": ["a", "c1", "e1"],
            "claim": ["A-Softmax (m=4) beats softmax (Table 3)", long, "AFS falls with m"],
            "paper_effect": [1.54, 1.22, None],
            "effect": [-0.4, 0.75, -0.007],
            "ci_low": [-1.5, -0.2, -0.012],
            "ci_high": [0.7, 1.7, -0.002],
            "unit": ["LFW points", "LFW points", "AFS per unit m"],
            "p": [0.46, 0.14, 0.016],
            "verdict": ["inconclusive", "not reproduced", "reproduced"],
        }
    )


def pairs(rng):
    same = np.repeat([True, False], 100)
    return pd.DataFrame({"same": same, "angle_deg": np.where(same, rng.normal(50, 10, 200), rng.normal(90, 10, 200))})


def megaface(rng, methods=METHODS[:3]):
    far = np.logspace(-6, 0, 20)

    def result(power):
        return {
            "distractors": 1000,
            "identification": {"cmc": np.sort(rng.uniform(0.5, 1, 10)).tolist()},
            "verification": {"roc": {"far": [0.0, *far], "tar": [0.1, *far**power]}, "n_impostor": 10**6},
        }

    return {m: {"results": [result(0.1 + 0.1 * i)]} for i, m in enumerate(methods)}


LOSSES = [*METHODS, "contrastive", "triplet", "lsoftmax", "center", "normface", "cosface", "arcface", "sphereface-r"]


def training_log(rng, i: int, monitored: bool = True, angle: bool = True) -> pd.DataFrame:
    """A metrics.csv of 50 intervals: loss, lr and, when `monitored`, the feature norm and target angle (blank
    without `angle`, as a head without class weights logs it)."""
    step = np.arange(20, 1001, 20)
    log = pd.DataFrame({"step": step, "loss": np.exp(-step / 500) + rng.uniform(0, 0.1, 50), "lr": 0.1})
    if monitored:
        log["feature_norm"] = 5 + (i + 1) * np.log1p(step / 100) + rng.normal(0, 0.2, 50)
        log["theta_y_deg"] = 90 - 40 * (1 - np.exp(-step / (200 + 40 * i))) if angle else np.nan
    return log


def monitored_logs(rng) -> pd.DataFrame:
    """Two seeds of every loss but the last (whose logs predate the columns), as `feature_norm.read_logs` reads."""
    frames = [
        training_log(rng, i, angle=m not in ("contrastive", "triplet"))[["step", *feature_norm.MONITORED]].assign(
            method=m, seed=seed
        )
        for i, m in enumerate(LOSSES[:-1])
        for seed in (0, 1)
    ]
    return pd.concat(frames, ignore_index=True)


def drawings(rng, out: Path):
    """(name, draw) of every figure the report draws; draw() writes out/<name>.png and returns the figure."""
    toy_features = {f"toy-m{m}": rng.normal(size=(60, 3)) + np.repeat(np.eye(3) * m, 20, axis=0) for m in (1, 2, 3, 4)}
    return [
        ("accuracy_vs_m", lambda p: figures.accuracy_vs_m(accuracy_table(rng), p)),
        ("accuracy_vs_depth", lambda p: depth.depth_figure(depth_table(rng), p)),
        ("budget", lambda p: budget.budget_figure(budget_table(rng), p)),
        ("claims", lambda p: forest_plot(claims_table(), p)),
        ("angle_hist", lambda p: figures.angle_histograms({m: pairs(rng) for m in METHODS}, p)),
        ("sphere3d", lambda p: toy.sphere_figure(toy_features, np.repeat(np.arange(3), 20), p)),
        ("angle_hist_1_method", lambda p: figures.angle_histograms({"softmax": pairs(rng)}, p)),
        (
            "sphere3d_1_method",
            lambda p: toy.sphere_figure({"toy-m4": toy_features["toy-m4"]}, np.repeat([0, 1, 2], 20), p),
        ),
        ("megaface_cmc", lambda p: figures.megaface_cmc(megaface(rng), p)),
        ("megaface_roc", lambda p: figures.megaface_roc(megaface(rng), p)),
        ("megaface_roc_12_methods", lambda p: figures.megaface_roc(megaface(rng, LOSSES[:12]), p)),
        ("feature_norm", lambda p: feature_norm.feature_norm_figure(monitored_logs(rng), p, LOSSES[-1:])),
        ("feature_norm_empty", lambda p: feature_norm.feature_norm_figure(monitored_logs(rng)[:0], p, LOSSES)),
    ]


FIGURES = [name for name, _ in drawings(np.random.default_rng(0), Path())]


def drawn(fig, dpi: float):
    """A renderer of `fig` drawn afresh (layout included) at `dpi`: a closed figure keeps no drawing canvas."""
    fig.set_dpi(dpi)
    canvas_agg = FigureCanvasAgg(fig)
    canvas_agg.draw()
    return canvas_agg.get_renderer()


def blocks(fig, renderer):
    """(text, box) of each legend and of each title, axis label and other text outside a legend and a tick."""
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    inner = {id(t) for legend in legends for t in legend.findobj(matplotlib.text.Text)}
    for ax in fig.axes:
        ticks = [*ax.get_xticklabels(which="both"), *ax.get_yticklabels(which="both")]
        ticks += [ax.xaxis.offsetText, ax.yaxis.offsetText]
        inner |= {id(t) for t in ticks}
    texts = [
        t for t in fig.findobj(matplotlib.text.Text) if id(t) not in inner and t.get_visible() and t.get_text().strip()
    ]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts] + [
        (f"legend {i}", legend.get_window_extent(renderer)) for i, legend in enumerate(legends)
    ]


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_legible_and_nothing_is_clipped(tmp_path, name):
    index = FIGURES.index(name)
    out = tmp_path / f"{name}.png"
    fig = dict(drawings(np.random.default_rng(index), tmp_path))[name](out)
    width, height = (fig.get_size_inches() * figures.DPI).round().astype(int)
    assert Image.open(out).size == (width, height)
    for dpi in (figures.DPI, 100):
        renderer = drawn(fig, dpi)
        box = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # inches -> pixels at the figure's dpi
        canvas = fig.bbox
        assert box.x0 >= canvas.x0 - 1 and box.y0 >= canvas.y0 - 1, f"{name} at {dpi} dpi: text past left/bottom"
        assert box.x1 <= canvas.x1 + 1 and box.y1 <= canvas.y1 + 1, f"{name} at {dpi} dpi: text past right/top"
        shown = blocks(fig, renderer)
        overlaps = [(a, b) for i, (a, p) in enumerate(shown) for b, q in shown[i + 1 :] if p.overlaps(q.padded(-1))]
        assert not overlaps, f"{name} at {dpi} dpi: overlapping {overlaps[:2]}"
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert texts, name
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < figures.MIN_FONT_PT]
    assert not small, f"{name}: text under {figures.MIN_FONT_PT} pt: {small[:3]}"


def test_every_sphere_fills_its_panel(tmp_path):
    """The toy figure's panels are side by side and each sphere spans most of its panel's width."""
    rng = np.random.default_rng(0)
    features = {f"toy-m{m}": rng.normal(size=(60, 3)) for m in (1, 2, 3, 4)}
    toy.sphere_figure(features, np.repeat(np.arange(6), 10), tmp_path / "sphere3d.png")
    ink = np.asarray(Image.open(tmp_path / "sphere3d.png").convert("L")) < 240
    panel = ink.shape[1] // 4
    for i in range(4):
        columns = np.flatnonzero(ink[:, i * panel : (i + 1) * panel].any(axis=0))
        assert columns[-1] - columns[0] >= 0.85 * panel, f"panel {i}: the sphere spans {columns[-1] - columns[0]} px"


def test_error_bars_say_which_interval():
    rng = np.random.default_rng(0)
    assert "95 % t-interval over 3 seeds" in figures.error_bars(accuracy_table(rng))[2]
    low, high, label = figures.error_bars(depth_table(rng))
    assert "std over the 10 LFW folds" in label and np.array_equal(low, high)


def test_gap_is_stated_from_the_paper_rows_only():
    assert (
        figures.gap_text(pd.Series([85.0, 86.0, 80.0]), pd.Series([97.0, 99.0, None])) == "paper - ours: +12.0 to +13.0"
    )


def test_feature_norm_is_drawn_from_the_committed_logs_and_older_logs_are_named(tmp_path, capsys):
    """training/<m>/seed<k>.csv of a run: the losses whose logs have the monitored columns are drawn (the mean of
    their seeds), one whose logs predate them is named on stderr and in the figure's title."""
    rng = np.random.default_rng(0)
    losses = ["softmax", "asoftmax-m4", "triplet", "center"]
    config = {"run": "t", "tables": {"accuracy_vs_m": losses[:2], "loss_comparison": losses}, "methods": {}}
    for i, method in enumerate(losses):
        config["methods"][method] = {"loss": method.split("-")[0], "seeds": [0, 1]}
        for seed in (0, 1):
            log = training_log(rng, i, monitored=method != "center", angle=method != "triplet")
            path = tmp_path / "training" / method / f"seed{seed}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            log.to_csv(path, index=False)
    assert feature_norm.draw(typed(config), tmp_path)
    assert Image.open(tmp_path / "figures" / "feature_norm.png").size[0] > 500
    assert "center" in capsys.readouterr().err
    logs, skipped = feature_norm.read_logs(typed(config), RunPaths(tmp_path), losses)
    assert skipped == ["center"] and set(logs["seed"]) == {0, 1} and len(logs) == 3 * 2 * 50
    notes = feature_norm.notes(logs, skipped)
    assert "center" in notes[0] and notes[1].endswith("triplet")


def test_feature_norm_without_any_monitored_log_is_drawn_only_when_declared(tmp_path):
    """A run whose logs all predate the columns: a redraw leaves the figure alone, `sphere report` (which declares
    the file) draws it with the note."""
    config = typed({"run": "t", "tables": {"accuracy_vs_m": ["softmax"]}, "methods": {"softmax": {"loss": "softmax"}}})
    path = tmp_path / "training" / "softmax" / "seed0.csv"
    path.parent.mkdir(parents=True)
    training_log(np.random.default_rng(0), 0, monitored=False).to_csv(path, index=False)
    figure = tmp_path / "figures" / "feature_norm.png"
    assert not feature_norm.draw(config, tmp_path) and not figure.exists()
    assert feature_norm.draw(config, tmp_path, always=True) and figure.exists()


def test_the_report_reads_the_columns_the_training_loop_logs():
    loop = pytest.importorskip("sphere.train.loop")
    assert feature_norm.MONITORED == loop.MONITORED


def test_training_dynamics_reads_where_each_log_ends():
    """The last logged step with a finite loss per (method, seed), a diverged seed ending early, and the mean over
    seeds per method (tables/training_dynamics.csv)."""
    logs = pd.DataFrame(
        {
            "method": ["a"] * 6 + ["b"] * 2,
            "seed": [0, 0, 0, 1, 1, 1, 0, 0],
            "step": [20, 40, 60, 20, 40, 60, 20, 40],
            "feature_norm": [1.0, 2.0, 3.0, 1.0, 5.0, np.nan, 4.0, 6.0],  # seed 1 of a diverged after step 40
            "theta_y_deg": [90.0, 80.0, 70.0, 90.0, 60.0, np.nan, 85.0, np.nan],
        }
    )
    table, seeds = feature_norm.end_values(logs, {("a", 0): 80.0, ("a", 1): 82.0})
    assert table["lfw_acc"].tolist()[0] == 81.0 and pd.isna(table["lfw_acc"].iloc[1])  # b has no result
    assert seeds[["method", "seed", "step", "feature_norm"]].values.tolist() == [
        ["a", 0, 60, 3.0],
        ["a", 1, 40, 5.0],
        ["b", 0, 40, 6.0],
    ]
    assert table["method"].tolist() == ["a", "b"] and table["step"].tolist() == [50, 40]
    assert table["feature_norm"].tolist() == [4.0, 6.0] and table["theta_y_deg"].tolist()[0] == 65.0
    assert table["seeds"].tolist() == [2, 1] and pd.isna(table["theta_y_deg"].iloc[1])
