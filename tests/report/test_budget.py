import json
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import typed
from sphere.report.budget import budget_table, plateau


def test_plateau_is_the_first_budget_the_next_one_barely_improves():
    steps = np.array([4000, 500, 1000, 2000])  # unordered on purpose
    acc = np.array([84.1, 78.0, 81.0, 83.9])
    std = np.full(4, 1.6)  # std / sqrt(10) = 0.51 > 0.5: the gain needed
    # 500 -> 1000: +3.0; 1000 -> 2000: +2.9; 2000 -> 4000: +0.2 < 0.51: the plateau starts at 2000
    assert plateau(steps, acc, std) == 2000


def test_no_plateau_while_every_budget_still_gains():
    assert plateau(np.array([500, 1000, 2000]), np.array([70.0, 75.0, 80.0]), np.ones(3)) is None


def fake_budget_run(tmp_path: Path, runs: dict[str, tuple[str, float, int, float, bool]]) -> dict:
    """A config and run folder: method -> (loss, lr, iterations, LFW %, finished)."""
    methods, budget = {}, []
    for name, (loss, lr, steps, acc, finished) in runs.items():
        methods[name] = {"loss": loss, "train": {"iterations": steps, "lr": lr, "lr_steps": []}}
        budget.append(name)
        metrics, model = tmp_path / "metrics" / name / "seed0", tmp_path / "models" / name / "seed0"
        metrics.mkdir(parents=True)
        model.mkdir(parents=True)
        result = {"accuracy": acc, "std": 1.0, "roc": {"auc": 0.9, "far": 1e-3, "tar": 0.1}}
        (metrics / "lfw.json").write_text(json.dumps(result))
        status = {"status": "ok", "steps": steps}
        if not finished:
            status = {"status": "diverged", "steps": steps // 2, "message": "non-finite loss"}
        (model / "status.json").write_text(json.dumps(status))
    return {"run": "t", "results": str(tmp_path), "seeds": [0], "methods": methods, "tables": {"budget": budget}}


def test_each_loss_and_lr_is_its_own_series_and_diverged_runs_do_not_set_the_plateau(tmp_path):
    config = fake_budget_run(
        tmp_path,
        {
            "s-1k": ("softmax", 0.1, 1000, 80.0, True),
            "s-2k": ("softmax", 0.1, 2000, 80.1, True),  # +0.1: softmax at lr 0.1 plateaus at 1,000
            "s-lo-1k": ("softmax", 0.05, 1000, 78.0, True),
            "s-lo-2k": ("softmax", 0.05, 2000, 81.0, True),  # the lr-0.05 series still rises
            "a-1k": ("asoftmax", 0.1, 1000, 75.0, True),
            "a-2k": ("asoftmax", 0.1, 2000, 70.0, False),  # diverged: not a plateau at 1,000
        },
    )
    table, _ = budget_table(typed(config), tmp_path)
    plateaus = dict(zip(table["method"], table["plateau_steps"]))
    assert plateaus["s-1k"] == plateaus["s-2k"] == 1000
    assert pd.isna(plateaus["s-lo-1k"]) and pd.isna(plateaus["a-1k"]) and pd.isna(plateaus["a-2k"])
    assert list(table["lr"]) == [0.1, 0.1, 0.05, 0.05, 0.1, 0.1]
