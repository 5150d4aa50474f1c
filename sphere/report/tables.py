"""Result tables: CSV for machines, Markdown for people, the paper's numbers beside ours."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.analysis.angles import angle_stats, angular_fisher_score
from sphere.config import evaluated_methods
from sphere.data.store import read_store
from sphere.report.paper import paper_confirmed, paper_lfw, paper_loss_lfw, paper_megaface, paper_ytf


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
                     "paper_lfw": paper_lfw(method), "paper_confirmed": paper_confirmed(method),
                     "status": training_status(run_dir, method)})
    table = pd.DataFrame(rows)
    table["m"] = table["m"].astype("Int64")
    return with_ytf(config, run_dir, table)


def with_ytf(config: dict, run_dir: Path, table: pd.DataFrame) -> pd.DataFrame:
    """`table` (one row per `method`) with YTF mean and std over the splits (%) and the paper's YTF value;
    unchanged when the config has no `ytf` section. (ytf.json holds fractions, as sphere.protocols.ytf.)"""
    if "ytf" not in config:
        return table
    evaluated = evaluated_methods(config, "ytf")
    results = [json.loads((run_dir / "metrics" / m / "ytf.json").read_text()) if m in evaluated else None
               for m in table["method"]]
    return table.assign(ytf_acc=[round(100 * r["accuracy_mean"], 2) if r else None for r in results],
                        ytf_std=[round(100 * r["accuracy_std"], 2) if r else None for r in results],
                        paper_ytf=[paper_ytf(m) for m in table["method"]])


def megaface_table(config: dict, run_dir: Path) -> pd.DataFrame:
    """Per method and distractor size: rank-1 and TAR at FAR 1e-6 (%), whether that FAR is resolved by the
    set's impostor count and the FAR achieved; the paper's 1M-distractor values on the largest size's rows."""
    rows = []
    for method in evaluated_methods(config, "megaface"):
        results = json.loads((run_dir / "metrics" / method / "megaface.json").read_text())["results"]
        paper = paper_megaface(method, config["methods"][method]) or {}
        for r in results:
            tar = r["verification"]["tar_at_far"][0]
            largest = r is results[-1]
            rows.append({"method": method, "distractors": r["distractors"],
                         "rank1": round(100 * r["identification"]["rank1"], 2),
                         "tar_at_far_1e-6": round(100 * tar["tar"], 2), "far_resolved": tar["resolved"],
                         "achieved_far": tar["far_achieved"],
                         "paper_rank1_1M": paper.get("rank1") if largest else None,
                         "paper_tar_1M": paper.get("tar") if largest else None})
    return pd.DataFrame(rows)


def angle_table(config: dict, run_dir: Path, test_store: Path) -> pd.DataFrame:
    """Per method: pair-angle extremes and percentiles on the test pairs, and the angular Fisher score."""
    labels = read_store(test_store, mmap=True).index["label"].to_numpy()
    rows = []
    for method in evaluated_methods(config, "lfw"):
        pairs = pd.read_csv(run_dir / "metrics" / method / "pairs.csv")
        stats = angle_stats(pairs["angle_deg"].to_numpy(), pairs["same"].to_numpy(bool))
        features = np.load(run_dir / "features" / f"{method}.npy")
        rows.append({"method": method, **{k: round(v, 2) for k, v in stats.items()},
                     "angular_fisher_score": round(angular_fisher_score(features, labels), 4)})
    return pd.DataFrame(rows)


def write_table(table: pd.DataFrame, path_csv: Path, title: str) -> None:
    """`<name>.csv` and `<name>.md` side by side, each written atomically."""
    from sphere import atomic

    atomic.to_csv(table, path_csv, index=False)
    shown = table.astype(object).where(table.notna(), "")
    lines = [f"# {title}", "", "| " + " | ".join(shown.columns) + " |", "|" + " --- |" * len(shown.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    atomic.write_text(path_csv.with_suffix(".md"), "\n".join(lines) + "\n")


def training_status(run_dir: Path, method: str) -> str:
    """'ok', or how a diverged training ended (its weights are the last good checkpoint's)."""
    status = json.loads((run_dir / "models" / method / "status.json").read_text())
    if status["status"] == "ok":
        return "ok"
    return f"diverged: {status['message']}; weights of step {status['steps']}"


def loss_comparison(config: dict, run_dir: Path) -> pd.DataFrame:
    """One row per method of `tables.loss_comparison`: loss head, LFW mean/std (%), the paper's LFW number."""
    rows = []
    for method in config["tables"]["loss_comparison"]:
        spec = config["methods"][method]
        result = json.loads((run_dir / "metrics" / method / "lfw.json").read_text())
        rows.append({"method": method, "loss": spec["loss"], "lfw_acc": round(result["accuracy"], 2),
                     "lfw_std": round(result["std"], 2), "paper_lfw": paper_loss_lfw(method),
                     "status": training_status(run_dir, method)})
    return with_ytf(config, run_dir, pd.DataFrame(rows))
