"""Pair lists of the verification benchmarks (records of `sphere.benchmarks`), in one shape: the images a
benchmark needs and its pairs as rows into them, with the fold and the source line of every pair (for error
messages).

- `lfw`: View-2 `pairs.txt` (docs/formats.md), images `Name/Name_NNNN.jpg` under the image root;
- `ytf`: `splits.txt`, one "item" per video `name/video` (features are per frame, see evaluate.run);
- insightface `.bin` sets (lfw, cfp_fp, cfp_ff, agedb_30, calfw, cplfw, vgg2_fp): images 2i and 2i+1
  form pair i; 10 folds of the pair list in order (the harness's KFold, docs/paper.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sphere.benchmarks import PROTOCOLS
from sphere.formats.lfw import read_pairs
from sphere.formats.ytf import read_splits
from sphere.protocols.rules import inorder_folds

BENCHMARKS = PROTOCOLS  # `sphere evaluate --benchmark` names


@dataclass
class PairSet:
    benchmark: str
    source: str  # the pairs file (or .bin)
    items: list[str]  # image (or video) names the pairs refer to
    first: np.ndarray  # row into items of each pair's first image
    second: np.ndarray
    same: np.ndarray  # bool
    folds: np.ndarray  # int
    lines: np.ndarray  # 1-based line of each pair in `source` (pair number for a .bin)
    line_kind: str = "line"

    def __len__(self) -> int:
        return len(self.same)

    def subset(self, keep: np.ndarray) -> PairSet:
        return PairSet(
            self.benchmark,
            self.source,
            self.items,
            self.first[keep],
            self.second[keep],
            self.same[keep],
            self.folds[keep],
            self.lines[keep],
            self.line_kind,
        )


def _index(names: list[tuple[str, str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    items: dict[str, int] = {}
    first = [items.setdefault(a, len(items)) for a, _ in names]
    second = [items.setdefault(b, len(items)) for _, b in names]
    return list(items), np.array(first, np.int64), np.array(second, np.int64)


def body_lines(path: Path, skip_header: bool) -> list[int]:
    """1-based numbers of the non-blank lines (after the header line when `skip_header`)."""
    numbers = [n for n, line in enumerate(Path(path).read_text().splitlines(), start=1) if line.strip()]
    return numbers[1:] if skip_header else numbers


def lfw_pairs(pairs_file: Path | str) -> PairSet:
    """LFW View-2 pairs (a malformed file raises ValueError naming file and line)."""
    pairs = read_pairs(pairs_file, min_folds=1)  # each rule says whether it needs folds
    items, first, second = _index([(p.path1, p.path2) for p in pairs])
    return PairSet(
        "lfw",
        str(pairs_file),
        items,
        first,
        second,
        np.array([p.same for p in pairs]),
        np.array([p.fold for p in pairs]),
        np.array(body_lines(Path(pairs_file), True)[: len(pairs)]),
    )


def ytf_pairs(splits_file: Path | str) -> PairSet:
    """YouTube Faces video pairs of `splits.txt`; items are `name/video` keys."""
    pairs = read_splits(splits_file)
    numbers = body_lines(Path(splits_file), False)
    lines = numbers[len(numbers) - len(pairs) :]  # a header line, when present, comes first
    items, first, second = _index([(p.video1, p.video2) for p in pairs])
    return PairSet(
        "ytf",
        str(splits_file),
        items,
        first,
        second,
        np.array([p.same for p in pairs]),
        np.array([p.split for p in pairs]),
        np.array(lines),
    )


def bin_pairs(name: str, source: str, same: np.ndarray) -> PairSet:
    """A `.bin` set's pairs: images 2i, 2i+1; items are the image numbers; 10 folds in order."""
    n = len(same)
    return PairSet(
        name,
        source,
        [str(i) for i in range(2 * n)],
        np.arange(n) * 2,
        np.arange(n) * 2 + 1,
        np.asarray(same, bool),
        inorder_folds(n),
        np.arange(1, n + 1),
        "pair",
    )
