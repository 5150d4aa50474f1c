"""Result tables: CSV for machines, Markdown for people, the paper's numbers beside ours."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.analysis.angles import angle_stats, angular_fisher_score
from sphere.data.store import read_store
from sphere.report.paper import paper_lfw


def method_margin(spec: dict) -> float | None:
    """The m column: the margin of margin-based heads, blank for softmax."""
    return spec.get("params", {}).get("m", 4 if spec["loss"] == "asoftmax" else None)


def accuracy_vs_m(config: dict, run_dir: Path) -> pd.DataFrame:
    """One row per method of `tables.accuracy_vs_m`: LFW mean and std over the 10 folds (%), paper value."""
    rows = []
    for method in config["tables"]["accuracy_vs_m"]:
        result = json.loads((run_dir / "metrics" / method / "lfw.json").read_text())
        rows.append({"method": method, "m": method_margin(config["methods"][method]),
                     "lfw_acc": round(result["accuracy"], 2), "lfw_std": round(result["std"], 2),
                     "lfw_auc": round(result["auc"], 4), "lfw_tar_far1e-3": round(result["tar_at_far"], 4),
                     "paper_lfw": paper_lfw(method)})
    table = pd.DataFrame(rows)
    table["m"] = table["m"].astype("Int64")
    return table


def angle_table(config: dict, run_dir: Path, test_store: Path) -> pd.DataFrame:
    """Per method: pair-angle extremes and percentiles on the test pairs, and the angular Fisher score."""
    labels = read_store(test_store, mmap=True).index["label"].to_numpy()
    rows = []
    for method in config["methods"]:
        pairs = pd.read_csv(run_dir / "metrics" / method / "pairs.csv")
        stats = angle_stats(pairs["angle_deg"].to_numpy(), pairs["same"].to_numpy(bool))
        features = np.load(run_dir / "features" / f"{method}.npy")
        rows.append({"method": method, **{k: round(v, 2) for k, v in stats.items()},
                     "angular_fisher_score": round(angular_fisher_score(features, labels), 4)})
    return pd.DataFrame(rows)


def write_table(table: pd.DataFrame, path_csv: Path, title: str) -> None:
    """`<name>.csv` and `<name>.md` side by side."""
    path_csv.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path_csv, index=False)
    shown = table.astype(object).where(table.notna(), "")
    lines = [f"# {title}", "", "| " + " | ".join(shown.columns) + " |", "|" + " --- |" * len(shown.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    path_csv.with_suffix(".md").write_text("\n".join(lines) + "\n")
