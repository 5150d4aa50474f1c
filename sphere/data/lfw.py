"""LFW View-2 `pairs.txt` (PAPER.md §4): `10 300`, then per fold 300 same and 300 different lines."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pair:
    fold: int
    path1: str
    path2: str
    same: bool


def image_path(name: str, number: str) -> str:
    """`Name/Name_0001.jpg`, the LFW file of a person's n-th image (1-based)."""
    return f"{name}/{name}_{int(number):04d}.jpg"


def read_pairs(path: Path | str) -> list[Pair]:
    """Parse a View-2 pairs file; a malformed line raises ValueError naming file and line."""
    path = Path(path)
    lines = path.read_text().splitlines()
    if not lines:
        raise ValueError(f"{path}:1: empty pairs file")
    header = lines[0].split()
    if len(header) != 2 or not all(h.isdigit() for h in header):
        raise ValueError(f"{path}:1: header must be '<folds> <pairs per half-fold>', got {lines[0]!r}")
    folds, half = int(header[0]), int(header[1])
    expected = folds * 2 * half
    body = [(n, line) for n, line in enumerate(lines[1:], start=2) if line.strip()]
    if len(body) != expected:
        raise ValueError(f"{path}: header promises {folds} folds x {2 * half} pairs = {expected}, found {len(body)}")
    pairs = []
    for i, (lineno, line) in enumerate(body):
        fold, position = divmod(i, 2 * half)
        fields = line.split()
        want_same = position < half
        try:
            if want_same and len(fields) == 3:
                pairs.append(Pair(fold, image_path(fields[0], fields[1]), image_path(fields[0], fields[2]), True))
            elif not want_same and len(fields) == 4:
                pairs.append(Pair(fold, image_path(fields[0], fields[1]), image_path(fields[2], fields[3]), False))
            else:
                kind = "same-person 'name n1 n2'" if want_same else "different-person 'name1 n1 name2 n2'"
                raise ValueError(f"expected a {kind} line")
        except ValueError as error:
            raise ValueError(f"{path}:{lineno}: {error}: {line!r}") from None
    return pairs
