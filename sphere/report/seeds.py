"""Per-seed results of a run and their summary rows: every training cell is a (method, seed) whose files
live under <run>/<stage>/<method>/seed<k>/; a table row is the mean over a method's seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sphere.config import method_seeds
from sphere.config.sections import RunConfig
from sphere.paths import RunPaths
from sphere.stats.seeds import seed_summary

# Columns with a 95 % interval over seeds: `<p>_acc` gains `<p>_std_seeds`, `<p>_ci_low`, `<p>_ci_high`.
HEADLINE = ("lfw_acc", "ytf_acc")
FOUR_DIGITS = ("lfw_auc", "lfw_tar_far1e-3", "angular_fisher_score")


def read_metrics(run_dir: Path, method: str, seed: int, name: str) -> dict:
    return json.loads(RunPaths(run_dir).metrics(method, seed, name).read_text())


def seed_cells(cfg: RunConfig, methods: list[str]) -> list[tuple[str, int]]:
    return [(m, s) for m in methods for s in method_seeds(cfg, m)]


def digits(column: str) -> int:
    return 4 if column in FOUR_DIGITS else 2


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded as the tables print them (accuracies and angles 2 digits, AUC/TAR/AFS 4), by
    Python's correctly rounded `round` (numpy's differs on some halves, e.g. a mean of 86.525)."""
    return table.assign(
        **{
            c: [v if pd.isna(v) else round(float(v), digits(c)) for v in table[c]]
            for c in table.columns
            if pd.api.types.is_float_dtype(table[c]) and c != "achieved_far"
        }
    )


def summarise(long: pd.DataFrame, keys: tuple[str, ...] = ("method",)) -> pd.DataFrame:
    """One row per `keys` group (first-seen order): the mean over seeds of every metric column, a boolean
    column true only where every seed is; after each headline `<p>_acc` and its fold std `<p>_std`: the
    sample std over seeds, the 95 % t-interval over seeds (t with seeds - 1 df) and, once, `seeds`."""
    rows = []
    for key, group in long.groupby(list(keys), sort=False):
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        for column in (c for c in long.columns if c not in keys and c != "seed"):
            values = group[column]
            row[column] = bool(values.all()) if values.dtype == bool else float(values.mean())
            prefix = column.removesuffix("_std")
            if f"{prefix}_acc" in HEADLINE and column == f"{prefix}_std":
                summary = seed_summary(group[f"{prefix}_acc"])
                row.update(
                    {
                        f"{prefix}_std_seeds": summary["std_seeds"],
                        f"{prefix}_ci_low": summary["ci_low"],
                        f"{prefix}_ci_high": summary["ci_high"],
                    }
                )
                row.setdefault("seeds", summary["seeds"])
        row.setdefault("seeds", len(group))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["seeds"] = table["seeds"].astype(int)
    return rounded(table)


def combined_status(statuses: dict[int, str]) -> str:
    """'ok' when every seed trained, else the seeds that diverged and how."""
    bad = {s: v for s, v in statuses.items() if v != "ok"}
    if not bad:
        return "ok"
    if len(statuses) == 1:
        return next(iter(bad.values()))
    return "; ".join(f"seed {s} {v}" for s, v in bad.items())
