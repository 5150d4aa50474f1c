"""The budget study (issue: real run trained until it says something): LFW against training steps.

Each budget is its own method with its own schedule (lr steps and annealing scaled to its length), so a
point is a finished run, not a checkpoint of a longer one. A series is one loss at one base lr. Its plateau is
the first budget after which the next one adds less than the larger of 0.5 point and the fold std of the
mean (`plateau`), among the runs that finished: a diverged run says what the lr does, not what the budget gives.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import method_train
from sphere.config.sections import RunConfig
from sphere.report.figures import plt, save, sns, styled
from sphere.report.tables import per_method


def budget_table(cfg: RunConfig, run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per method of `tables.budget`: loss, lr, iterations, images seen, LFW over seeds and its
    series' `plateau_steps` (blank while it still rises); per-seed rows."""
    methods = cfg.tables.budget
    table, long = per_method(cfg, run_dir, methods)
    settings = [method_train(cfg, m) for m in methods]
    table.insert(1, "loss", [c.loss for c in settings])
    table.insert(2, "lr", [c.lr for c in settings])
    table.insert(3, "iterations", [c.iterations for c in settings])
    table.insert(4, "images_seen", [c.iterations * c.batch_size for c in settings])
    finished = table[table["status"] == "ok"]
    reached = {
        key: plateau(g["iterations"].to_numpy(), g["lfw_acc"].to_numpy(), g["lfw_std"].to_numpy())
        for key, g in finished.groupby(["loss", "lr"], sort=False)
    }
    series = zip(table["loss"], table["lr"])
    table["plateau_steps"] = pd.array([reached.get(key) for key in series], dtype="Int64")
    return table, long


def plateau(iterations: np.ndarray, accuracy: np.ndarray, std: np.ndarray) -> int | None:
    """The first budget whose successor gains less than max(0.5, std / sqrt(10)) points; None if it still rises."""
    order = np.argsort(iterations)
    for here, there in zip(order[:-1], order[1:]):
        if accuracy[there] - accuracy[here] < max(0.5, std[there] / np.sqrt(10)):
            return int(iterations[here])
    return None


def budget_figure(table: pd.DataFrame, out: Path) -> plt.Figure:
    """LFW accuracy (bars: +-1 std over the 10 folds) against training steps, one colour per loss and lr; a run
    that diverged (scored with its last good checkpoint) is crossed out in black, a shape, not a colour."""
    with styled():
        fig, ax = plt.subplots(figsize=(5.8, 3.8))
        series = list(table.groupby(["loss", "lr"], sort=False))
        for colour, ((loss, lr), group) in zip(sns.color_palette("tab10", len(series)), series):
            group = group.sort_values("iterations")
            ax.errorbar(
                group["iterations"],
                group["lfw_acc"],
                yerr=group["lfw_std"],
                fmt="o-",
                capsize=3,
                color=colour,
                label=f"{loss}, lr {lr:g}",
            )
        diverged = table[table["status"] != "ok"]
        if len(diverged):
            ax.plot(
                diverged["iterations"],
                diverged["lfw_acc"],
                "x",
                ms=10,
                mew=2,
                color="black",
                label="diverged (last good weights)",
            )
        ax.set_xscale("log")
        ax.set_xlabel("training steps (each a full schedule)")
        ax.set_ylabel("LFW-protocol accuracy (%)")
        fig.legend(loc="outside right upper")
        ax.set_title("Budget study: LFW against training steps\nbars: +-1 std over the 10 LFW folds", loc="left")
    return save(fig, out)
