"""Text input files as real copies come: UTF-8 with or without a byte-order mark, LF or CRLF line ends.

Every text reader goes through `read_lines`, so a missing file, a folder, or bytes that are not UTF-8
are one InputError naming the file (and the line of the first bad byte).
"""

from __future__ import annotations

import math
from pathlib import Path

from sphere.errors import InputError


def read_text(path: Path | str) -> str:
    """The file's text: UTF-8, a leading BOM dropped; InputError naming the file (and line) otherwise."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})"
        ) from None


def read_lines(path: Path | str) -> list[str]:
    """The file's lines without their ends (LF, CRLF or CR); line n of the file is item n - 1."""
    return read_text(path).splitlines()


def finite_floats(fields: list[str], what: str) -> list[float]:
    """Parse numbers, refusing non-numbers and non-finite values (nan, inf) with a message naming `what`."""
    try:
        values = [float(v) for v in fields]
    except ValueError:
        raise ValueError(f"{what} must be numbers, got {' '.join(fields)!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{what} must be finite, got {' '.join(fields)!r}")
    return values
