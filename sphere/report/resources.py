"""tables/resources.csv: what each DAG job cost, read from the usage record every job writes
(`sphere --usage`, runtime.write_usage; named by `RunPaths.benchmark`): wall seconds, CPU seconds and the
largest resident set per rule and wildcards, plus a total row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sphere.paths import RunPaths

COLUMNS = ["rule", "wildcards", "wall_s", "cpu_s", "max_rss_mb"]


def read_benchmark(path: Path) -> dict:
    """One usage record, or a Snakemake benchmark TSV in the same columns (`s`, `cpu_time`, `max_rss` in
    MB; 'NA' where Snakemake's sampler saw no process); repeats are averaged, RSS is the largest."""
    frame = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
    return {
        "wall_s": float(frame["s"].mean()),
        "cpu_s": float(frame["cpu_time"].mean()),
        "max_rss_mb": float(frame["max_rss"].max()),
    }


def resources_table(paths: RunPaths, skip: tuple[str, ...] = ("resources",)) -> pd.DataFrame:
    """Every benchmark of the run but those of `skip` (the rule writing this table), sorted by rule and
    wildcards, then a `total` row: summed wall and CPU seconds, the largest RSS."""
    rows = []
    for path in sorted(paths.benchmarks.rglob("*.tsv")):
        rule, wildcards = paths.benchmark_job(path)
        if rule not in skip:
            rows.append({"rule": rule, "wildcards": wildcards, **read_benchmark(path)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    if len(table):
        total = {
            "rule": "total",
            "wildcards": f"{len(table)} jobs",
            "wall_s": table["wall_s"].sum(),
            "cpu_s": table["cpu_s"].sum(),
            "max_rss_mb": table["max_rss_mb"].max(),
        }
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for column in ("wall_s", "cpu_s", "max_rss_mb"):
        table[column] = [v if np.isnan(v) else round(float(v), 2) for v in table[column].astype(float)]
    return table


def write_resources(paths: RunPaths, out: Path) -> pd.DataFrame:
    """tables/resources.csv and its .md."""
    from sphere.report.tables import write_table

    table = resources_table(paths)
    write_table(
        table,
        Path(out),
        "Resources per DAG job (usage records): wall and CPU seconds, "
        "largest resident set (MB); machine-dependent, not compared by `sphere reproduce`",
    )
    return table
