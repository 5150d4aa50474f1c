"""Wall time of every training of a run, read from its train logs (the progress bar's last elapsed time).

For runs trained before `benchmark:` files existed (tables/resources.csv has the CPU time of newer runs).
Each training ran on one thread (`train.threads: 1`), so its wall time bounds its CPU time from above.
Usage: python scripts/training_times.py results/celeba-lfw  ->  results/celeba-lfw/tables/training_time.csv
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ELAPSED = re.compile(r"(\d+)/(\d+) \[(?:(\d+):)?(\d+):(\d+)<")


def last_elapsed(log: Path) -> tuple[int, int, float] | None:
    """(steps done, steps planned, seconds) of the last progress-bar update in `log`, None without one."""
    hits = ELAPSED.findall(log.read_text(errors="replace"))
    if not hits:
        return None
    done, total, hours, minutes, seconds = hits[-1]
    return int(done), int(total), int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def training_times(run_dir: Path) -> pd.DataFrame:
    rows = []
    for log in sorted((run_dir / "logs").glob("train_*_seed*.log")):
        method, seed = re.fullmatch(r"train_(.+)_seed(\d+)\.log", log.name).groups()
        found = last_elapsed(log)
        if found:
            rows.append(
                {"method": method, "seed": int(seed), "steps": found[0], "planned": found[1], "wall_s": found[2]}
            )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    run = Path(sys.argv[1])
    table = training_times(run)
    table.to_csv(run / "tables" / "training_time.csv", index=False)
    print(table.groupby("method")["wall_s"].agg(["count", "mean", "sum"]).round(0).to_string())
