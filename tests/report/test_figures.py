"""Every figure of the report, drawn from small fixture data: it is written at the size it claims, no text leaves
the canvas (matplotlib's tight bounding box within the figure) and no text is under 8 pt at the saved size."""

from __future__ import annotations

from pathlib import Path

import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from sphere.report import budget, depth, figures, toy
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


def megaface(rng):
    far = np.logspace(-6, 0, 20)
    result = {
        "distractors": 1000,
        "identification": {"cmc": np.sort(rng.uniform(0.5, 1, 10)).tolist()},
        "verification": {"roc": {"far": [0.0, *far], "tar": [0.1, *np.sqrt(far)]}, "n_impostor": 10**6},
    }
    return {m: {"results": [result]} for m in METHODS[:3]}


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
        ("megaface_cmc", lambda p: figures.megaface_cmc(megaface(rng), p)),
        ("megaface_roc", lambda p: figures.megaface_roc(megaface(rng), p)),
    ]


@pytest.mark.parametrize("index", range(8))
def test_figure_is_legible_and_nothing_is_clipped(tmp_path, index):
    name, draw = drawings(np.random.default_rng(index), tmp_path)[index]
    out = tmp_path / f"{name}.png"
    fig = draw(out)
    width, height = (fig.get_size_inches() * figures.DPI).round().astype(int)
    assert Image.open(out).size == (width, height)
    canvas_agg = FigureCanvasAgg(fig)  # a closed figure keeps no drawing canvas
    canvas_agg.draw()
    renderer = canvas_agg.get_renderer()
    box = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # inches -> pixels at the figure's dpi
    canvas = fig.bbox
    assert box.x0 >= canvas.x0 - 1 and box.y0 >= canvas.y0 - 1, f"{name}: text past the left/bottom edge"
    assert box.x1 <= canvas.x1 + 1 and box.y1 <= canvas.y1 + 1, f"{name}: text past the right/top edge"
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert texts, name
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < figures.MIN_FONT_PT]
    assert not small, f"{name}: text under {figures.MIN_FONT_PT} pt: {small[:3]}"


def test_error_bars_say_which_interval():
    rng = np.random.default_rng(0)
    assert "95 % t-interval over 3 seeds" in figures.error_bars(accuracy_table(rng))[2]
    low, high, label = figures.error_bars(depth_table(rng))
    assert "std over the 10 LFW folds" in label and np.array_equal(low, high)


def test_gap_is_stated_from_the_paper_rows_only():
    assert (
        figures.gap_text(pd.Series([85.0, 86.0, 80.0]), pd.Series([97.0, 99.0, None])) == "paper - ours: +12.0 to +13.0"
    )
