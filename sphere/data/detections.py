"""Per-image detection outcomes as CSV (`path,detection`), written by `sphere detect-landmarks`.

The outcome goes into the store index's `detection` column (DESIGN.md): 'detected', 'fallback' or 'given'.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sphere.data.store import DETECTION_STATES


def write_detections(path: Path, outcome: dict[str, str]) -> None:
    """The per-image outcome as CSV with columns path, detection (read by `sphere align --detections`)."""
    pd.DataFrame({"path": list(outcome), "detection": list(outcome.values())}).to_csv(path, index=False)


def read_detections(path: Path) -> dict[str, str]:
    """path -> detection outcome from a CSV with columns path and detection."""
    table = pd.read_csv(path, dtype=str)
    if not {"path", "detection"} <= set(table.columns):
        raise ValueError(f"{path}:1: expected columns 'path' and 'detection', got {list(table.columns)}")
    bad = table[~table["detection"].isin(DETECTION_STATES)]
    if len(bad):
        raise ValueError(f"{path}:{bad.index[0] + 2}: unknown detection outcome {bad['detection'].iloc[0]!r}")
    return dict(zip(table["path"], table["detection"]))
