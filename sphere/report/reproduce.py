"""Compare regenerated tables with the committed ones and say which cells moved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.report.outputs import RESOURCES


@dataclass
class Moved:
    table: str
    row: str
    column: str
    committed: object
    fresh: object
    fails: bool

    def __str__(self) -> str:
        mark = "FAIL" if self.fails else "moved"
        return f"{mark}: {self.table} [{self.row}, {self.column}]: {self.committed} -> {self.fresh}"


# Text cells that only render numbers (claims.csv): reported when they move, never failing by themselves
# (the numbers they show are compared on their own; a changed verdict still fails).
DESCRIPTIVE = ("measured", "test")


def is_gated(column: str) -> bool:
    """Accuracy cells (percent) are held to the tolerance; other cells are reported when they move."""
    return column.endswith("_acc")


def row_key(*tables: pd.DataFrame) -> list[str]:
    """The fewest leading columns of the first table that name each row of every table (e.g. method;
    method + distractors; method + seed in a per-seed file, even when one side has a single seed)."""
    columns = list(tables[0].columns)
    for k in range(1, len(columns) + 1):
        key = columns[:k]
        if all(set(key) <= set(t.columns) and not t.duplicated(subset=key).any() for t in tables):
            return key
    raise ValueError("table has duplicate rows")


# Tables of the machine, not of the method (tables/resources.csv: seconds and memory per job): never compared.
MACHINE_DEPENDENT = (f"{RESOURCES}.csv",)


def compare_tables(committed: Path, fresh: Path, tolerance: float) -> list[Moved]:
    """Every differing cell of every committed CSV (but MACHINE_DEPENDENT); a missing table, row or column
    always fails; an accuracy cell fails when it moved by more than `tolerance` points (the config's
    reproduce.tolerance, `sphere.config.sections.ReproduceConfig`)."""
    moved: list[Moved] = []
    for old_path in sorted(Path(committed).glob("*.csv")):
        name, new_path = old_path.name, Path(fresh) / old_path.name
        if name in MACHINE_DEPENDENT:
            continue
        if not new_path.exists():
            moved.append(Moved(name, "-", "-", "present", "missing", True))
            continue
        old, new = pd.read_csv(old_path), pd.read_csv(new_path)
        key = row_key(old, new)
        old, new = old.set_index(key), new.set_index(key)
        for row in old.index.union(new.index):
            for column in old.columns.union(new.columns):
                if row not in old.index or row not in new.index or column not in old or column not in new:
                    moved.append(
                        Moved(
                            name,
                            str(row),
                            column,
                            "present" if row in old.index else "absent",
                            "present" if row in new.index and column in new else "absent",
                            True,
                        )
                    )
                    continue
                a, b = old.at[row, column], new.at[row, column]
                if pd.isna(a) and pd.isna(b):
                    continue
                if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
                    if abs(float(a) - float(b)) <= 1e-9:
                        continue
                    moved.append(Moved(name, str(row), column, a, b, is_gated(column) and abs(a - b) > tolerance))
                elif a != b:
                    moved.append(Moved(name, str(row), column, a, b, column not in DESCRIPTIVE))
    return moved
