"""Result tables: CSV for machines, Markdown for people, the paper's numbers beside ours."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.config import evaluated_methods, method_seeds
from sphere.config.sections import MethodConfig, RunConfig
from sphere.paths import RunPaths, markdown_of, seeds_of
from sphere.protocols.angles import angle_stats, angular_fisher_score
from sphere.report.paper import (
    paper_confirmed,
    paper_lfw,
    paper_loss_lfw,
    paper_megaface,
    paper_ytf,
)
from sphere.report.seeds import (
    combined_status,
    read_metrics,
    rounded,
    seed_cells,
    summarise,
)
from sphere.store.io import read_store


def method_margin(spec: MethodConfig) -> float | None:
    """The m column: A-Softmax's margin (its default where the config gives none), another head's m where the
    config sets it, blank otherwise."""
    return spec.param("m") if spec.loss == "asoftmax" else spec.params.get("m")


def lfw_seeds(cfg: RunConfig, run_dir: Path, methods: list[str]) -> pd.DataFrame:
    """Long format, one row per (method, seed): LFW mean and std over the 10 folds (%), AUC, TAR at FAR
    1e-3, and YTF mean and std over the splits (%) where the config scores YTF (both `sphere evaluate` results)."""
    ytf = set(evaluated_methods(cfg, "ytf"))
    rows = []
    for method, seed in seed_cells(cfg, methods):
        result = read_metrics(run_dir, method, seed, "lfw.json")
        row = {
            "method": method,
            "seed": seed,
            "lfw_acc": result["accuracy"],
            "lfw_std": result["std"],
            "lfw_auc": result["roc"]["auc"],
            "lfw_tar_far1e-3": result["roc"]["tar"],
        }
        if cfg.ytf is not None:
            video = read_metrics(run_dir, method, seed, "ytf.json") if method in ytf else None
            row.update(
                ytf_acc=video["accuracy"] if video else np.nan,
                ytf_std=video["std"] if video else np.nan,
            )
        rows.append(row)
    return pd.DataFrame(rows)


def per_method(cfg: RunConfig, run_dir: Path, methods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary over seeds (one row per method, `summarise`) and the long per-seed rows, both rounded,
    with each method's training `status` over its seeds."""
    long = lfw_seeds(cfg, run_dir, methods)
    table = summarise(long)
    status = [
        combined_status({s: training_status(run_dir, m, s) for s in method_seeds(cfg, m)}) for m in table["method"]
    ]
    table.insert(table.columns.get_loc("ytf_acc") if "ytf_acc" in table else len(table.columns), "status", status)
    return table, rounded(long)


def with_paper(table: pd.DataFrame, columns: dict, before: str = "status") -> pd.DataFrame:
    """`columns` (name -> values) inserted before `before`; `paper_ytf` after the YTF columns if present."""
    for name, values in columns.items():
        table.insert(table.columns.get_loc(before), name, values)
    if "ytf_acc" in table:
        table["paper_ytf"] = [paper_ytf(m) for m in table["method"]]
    return table


def accuracy_vs_m(cfg: RunConfig, run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per method of `tables.accuracy_vs_m`: LFW mean over seeds of the 10-fold mean (%), the mean
    fold std, the std and 95 % t-interval over seeds, AUC, TAR, the paper's values; and the per-seed rows."""
    methods = cfg.tables.accuracy_vs_m
    table, long = per_method(cfg, run_dir, methods)
    table.insert(1, "m", pd.array([method_margin(cfg.methods[m]) for m in methods], dtype="Int64"))
    return with_paper(
        table, {"paper_lfw": [paper_lfw(m) for m in methods], "paper_confirmed": [paper_confirmed(m) for m in methods]}
    ), long


def megaface_table(cfg: RunConfig, run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per method and distractor size: rank-1 and TAR at FAR 1e-6 (%, means over seeds), whether that FAR is
    resolved by the set's impostor count (for every seed) and the FAR achieved; the paper's 1M-distractor
    values on the largest size's rows. And the per-seed rows."""
    rows = []
    for method, seed in seed_cells(cfg, evaluated_methods(cfg, "megaface")):
        for r in read_metrics(run_dir, method, seed, "megaface.json")["results"]:
            tar = r["verification"]["tar_at_far"][0]
            rows.append(
                {
                    "method": method,
                    "seed": seed,
                    "distractors": r["distractors"],
                    "rank1": 100 * r["identification"]["rank1"],
                    "tar_at_far_1e-6": 100 * tar["tar"],
                    "far_resolved": bool(tar["resolved"]),
                    "achieved_far": tar["far_achieved"],
                }
            )
    long = pd.DataFrame(rows)
    table = summarise(long, ("method", "distractors"))
    largest = table.groupby("method", sort=False)["distractors"].transform("max") == table["distractors"]
    paper = [paper_megaface(m, cfg.methods[m]) or {} for m in table["method"]]
    table["paper_rank1_1M"] = [p.get("rank1") if top else None for p, top in zip(paper, largest)]
    table["paper_tar_1M"] = [p.get("tar") if top else None for p, top in zip(paper, largest)]
    return table, rounded(long)


def angle_table(cfg: RunConfig, run_dir: Path, test_store: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per method (means over seeds): pair-angle extremes and percentiles on the test pairs and the angular
    Fisher score; and the per-seed rows."""
    labels = read_store(test_store, mmap=True).index["label"].to_numpy()
    rows = []
    for method, seed in seed_cells(cfg, evaluated_methods(cfg, "lfw")):
        pairs = pd.read_csv(RunPaths(run_dir).metrics(method, seed, "pairs.csv"))
        stats = angle_stats(pairs["angle_deg"].to_numpy(), pairs["same"].to_numpy(bool))
        features = np.load(RunPaths(run_dir).features(method, seed))
        rows.append(
            {"method": method, "seed": seed, **stats, "angular_fisher_score": angular_fisher_score(features, labels)}
        )
    long = pd.DataFrame(rows)
    return summarise(long), rounded(long)


def markdown(table: pd.DataFrame, title: str) -> str:
    """A titled Markdown table, blanks for missing values."""
    shown = table.astype(object).where(table.notna(), "")
    lines = [f"# {title}", "", "| " + " | ".join(shown.columns) + " |", "|" + " --- |" * len(shown.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def write_table(table: pd.DataFrame, path_csv: Path, title: str, seeds: pd.DataFrame | None = None) -> None:
    """`<name>.csv` and `<name>.md` side by side (with `seeds`, the per-seed rows in `<name>_seeds.csv`),
    each written atomically."""
    from sphere import runtime

    runtime.to_csv(table, path_csv, index=False)
    runtime.write_text(markdown_of(path_csv), markdown(table, title))
    if seeds is not None:
        runtime.to_csv(seeds, seeds_of(path_csv), index=False)


def training_status(run_dir: Path, method: str, seed: int) -> str:
    """'ok', how a diverged training ended (its weights are the last good checkpoint's), or why it is not known (a
    shipped checkpoint exported before its card recorded it)."""
    status = json.loads(RunPaths(run_dir).status(method, seed).read_text())
    if status["status"] == "ok":
        return "ok"
    if status["status"] == "diverged":
        return f"diverged: {status['message']}; weights of step {status['steps']}"
    return f"{status['status']}: {status['message']}"


def loss_comparison(cfg: RunConfig, run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per method of `tables.loss_comparison`: loss head, LFW (and YTF) over seeds as in
    `accuracy_vs_m`, the paper's LFW number; and the per-seed rows."""
    methods = cfg.tables.loss_comparison
    table, long = per_method(cfg, run_dir, methods)
    table = table.drop(columns=["lfw_auc", "lfw_tar_far1e-3"])
    table.insert(1, "loss", [cfg.methods[m].loss for m in methods])
    return with_paper(table, {"paper_lfw": [paper_loss_lfw(m) for m in methods]}), long
