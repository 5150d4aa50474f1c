"""LFW View-2 `pairs.txt` (docs/formats.md): `10 300`, then per fold 300 same and 300 different lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sphere.errors import InputError
from sphere.formats.text import read_lines


@dataclass(frozen=True)
class Pair:
    fold: int
    path1: str
    path2: str
    same: bool
    where: str = field(default="", compare=False)  # "pairs.txt:LINE", for messages about this pair


def image_path(name: str, number: str) -> str:
    """`Name/Name_0001.jpg`, the LFW file of a person's n-th image (1-based)."""
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"image number must be a positive integer, got {number!r}")
    return f"{name}/{name}_{int(number):04d}.jpg"


def read_pairs(path: Path | str, min_folds: int = 2) -> list[Pair]:
    """Parse a View-2 pairs file; a malformed line raises InputError naming file and line. Fewer than
    `min_folds` folds is refused (k-fold protocols take thresholds from the other folds).

    Accepted as real copies come: a UTF-8 byte-order mark, CRLF line ends, tabs or runs of spaces
    between fields, blank lines anywhere.
    """
    path = Path(path)
    numbered = [(n, line) for n, line in enumerate(read_lines(path), start=1) if line.strip()]
    if not numbered:
        raise InputError(f"{path}:1: empty pairs file")
    (first, top), body = numbered[0], numbered[1:]
    header = top.split()
    if len(header) != 2 or not all(h.isdigit() for h in header):
        raise InputError(f"{path}:{first}: header must be '<folds> <pairs per half-fold>', got {top!r}")
    folds, half = int(header[0]), int(header[1])
    if folds < min_folds or half < 1:
        raise InputError(
            f"{path}:{first}: need at least {min_folds} folds of 1 + 1 pairs (thresholds come from the "
            f"other folds), header says {folds} folds of {half} + {half}"
        )
    expected = folds * 2 * half
    if len(body) != expected:
        raise InputError(f"{path}: header promises {folds} folds x {2 * half} pairs = {expected}, found {len(body)}")
    pairs = []
    for i, (lineno, line) in enumerate(body):
        fold, position = divmod(i, 2 * half)
        fields = line.split()
        want_same = position < half
        try:
            where = f"{path}:{lineno}"
            if want_same and len(fields) == 3:
                pairs.append(
                    Pair(fold, image_path(fields[0], fields[1]), image_path(fields[0], fields[2]), True, where)
                )
            elif not want_same and len(fields) == 4:
                pairs.append(
                    Pair(fold, image_path(fields[0], fields[1]), image_path(fields[2], fields[3]), False, where)
                )
            else:
                kind = "same-person 'name n1 n2'" if want_same else "different-person 'name1 n1 name2 n2'"
                raise ValueError(f"expected a {kind} line")
        except ValueError as error:
            raise InputError(f"{path}:{lineno}: {error}: {line!r}") from None
    return pairs
