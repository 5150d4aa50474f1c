"""Per-image detection outcomes as CSV (`path,detection`), written by `sphere detect-landmarks`.

The outcome goes into the store index's `detection` column (docs/formats.md, Store): 'detected', 'fallback' or 'given'.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from sphere.errors import InputError
from sphere.formats.text import read_text
from sphere.runtime import to_csv
from sphere.store.io import DETECTION_STATES


def write_detections(path: Path, outcome: dict[str, str]) -> None:
    """The per-image outcome as CSV with columns path, detection (read by `sphere align --detections`)."""
    to_csv(pd.DataFrame({"path": list(outcome), "detection": list(outcome.values())}), path, index=False)


def read_csv_file(path: Path, **kwargs) -> pd.DataFrame:
    """A CSV file as a table (BOM, CRLF, surrounding blanks accepted); a parse error names file and line."""
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}:1: empty file, expected a CSV header")
    try:
        return pd.read_csv(io.StringIO(text), skipinitialspace=True, **kwargs)
    except pd.errors.ParserError as error:  # pandas says "Error tokenizing data. C error: ... in line N, saw M"
        raise InputError(f"{path}: not a valid CSV table: {str(error).strip()}") from None


def read_detections(path: Path) -> dict[str, str]:
    """path -> detection outcome from a CSV with columns path and detection."""
    table = read_csv_file(Path(path), dtype=str)
    table.columns = [str(c).strip() for c in table.columns]
    if not {"path", "detection"} <= set(table.columns):
        raise InputError(f"{path}:1: expected columns 'path' and 'detection', got {list(table.columns)}")
    table = table.assign(path=table["path"].str.strip(), detection=table["detection"].str.strip())
    bad = table[~table["detection"].isin(DETECTION_STATES) | table["path"].isna()]
    if len(bad):
        row = bad.index[0]
        raise InputError(
            f"{path}:{row + 2}: unknown detection outcome {bad['detection'].iloc[0]!r} for "
            f"{bad['path'].iloc[0]!r}; valid: {', '.join(DETECTION_STATES)}"
        )
    return dict(zip(table["path"], table["detection"]))
