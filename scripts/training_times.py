"""Wall time of every training of a run, read from its train logs (the progress bar's last elapsed time), and
its CPU time where the training's usage record (`sphere --usage`, benchmarks/train/<method>/seed<k>.tsv)
exists.

Rows already in tables/training_time.csv are kept as they are: a train job that only resumed a finished run
rewrote its log, so the log no longer holds the training's time. Each training ran on one thread
(`train.threads: 1`), so its CPU time is its compute; the wall time also holds the time it waited for a core.
Usage: python scripts/training_times.py results/celeba-lfw  ->  results/celeba-lfw/tables/training_time.csv
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import yaml

from sphere.report.resources import read_benchmark
from sphere.runtime import USAGE_HEADER

ELAPSED = re.compile(r"(\d+)/(\d+) \[(?:(\d+):)?(\d+):(\d+)<")


def last_elapsed(log: Path) -> tuple[int, int, float] | None:
    """(steps done, steps planned, seconds) of the last progress-bar update in `log`, None without one."""
    hits = ELAPSED.findall(log.read_text(errors="replace"))
    if not hits:
        return None
    done, total, hours, minutes, seconds = hits[-1]
    return int(done), int(total), int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def cpu_seconds(run_dir: Path, method: str, seed: int) -> float | None:
    """CPU seconds of the training's usage record, None where there is none (or only a Snakemake benchmark
    file, whose CPU time was sampled)."""
    usage = run_dir / "benchmarks" / "train" / method / f"seed{seed}.tsv"
    if not usage.exists() or not usage.read_text().startswith(USAGE_HEADER):
        return None
    return round(read_benchmark(usage)["cpu_s"])


def training_times(run_dir: Path, known: pd.DataFrame, methods: set[str]) -> pd.DataFrame:
    """`known` rows, then one row per train log of a (method, seed) of `methods` not among them."""
    seen = set(zip(known["method"], known["seed"])) if len(known) else set()
    rows = []
    for log in sorted((run_dir / "logs").glob("train_*_seed*.log")):
        method, seed = re.fullmatch(r"train_(.+)_seed(\d+)\.log", log.name).groups()
        found = last_elapsed(log)
        if found and method in methods and (method, int(seed)) not in seen:
            steps, planned, wall = found
            cpu = cpu_seconds(run_dir, method, int(seed))
            rows.append(
                {"method": method, "seed": int(seed), "steps": steps, "planned": planned, "wall_s": wall, "cpu_s": cpu}
            )
    return pd.concat([known, pd.DataFrame(rows)], ignore_index=True).astype({"cpu_s": "Int64"})


if __name__ == "__main__":
    run = Path(sys.argv[1])
    out = run / "tables" / "training_time.csv"
    known = pd.read_csv(out) if out.exists() else pd.DataFrame(columns=["method", "seed", "cpu_s"])
    if "cpu_s" not in known:
        known["cpu_s"] = pd.NA
    methods = set(yaml.safe_load((run / "config.yaml").read_text())["methods"])
    table = training_times(run, known, methods)
    table.to_csv(out, index=False)
    print(table.groupby("method")[["wall_s", "cpu_s"]].agg(["count", "sum"]).to_string())
