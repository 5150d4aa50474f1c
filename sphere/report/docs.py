"""Result tables in README.md and docs/*.md, generated from the committed CSVs so they cannot go stale.

A block in a Markdown file names its CSV and columns; everything up to its end marker is generated:

    <!-- table results/default/tables/accuracy_vs_m.csv columns=method,lfw_acc,paper_lfw -->
    | method | lfw_acc | paper_lfw |
    ...
    <!-- end table -->

`rows=a,b` keeps the rows whose first column is listed (in that order); `head=n` the first n rows.
`sphere step docs` rewrites every block; `sphere step docs --check` (and tests/report/test_docs.py) fails
naming each stale block. Cells are the CSV's own text: nothing is rounded or reformatted here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sphere.errors import InputError

BLOCK = re.compile(r"(<!-- table (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(<!-- end table -->)", re.S)


def render(root: Path, spec: str, where: str) -> str:
    """The Markdown table of one block's spec: `<csv path> [columns=a,b] [rows=x,y]` (paths from `root`)."""
    path, *options = spec.split()
    settings = dict(option.split("=", 1) for option in options)
    try:
        with open(root / path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InputError(f"{where}: table source {path} not found") from None
    if not rows:
        raise InputError(f"{where}: {path} has no rows")
    columns = settings["columns"].split(",") if "columns" in settings else list(rows[0])
    unknown = [c for c in columns if c not in rows[0]]
    if unknown:
        raise InputError(f"{where}: {path} has no column {', '.join(unknown)}")
    if "rows" in settings:
        first = {row[next(iter(row))]: row for row in rows}
        missing = [r for r in settings["rows"].split(",") if r not in first]
        if missing:
            raise InputError(f"{where}: {path} has no row {', '.join(missing)}")
        rows = [first[r] for r in settings["rows"].split(",")]
    rows = rows[: int(settings["head"])] if "head" in settings else rows
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join(row[c] for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def refresh(markdown: Path, root: Path) -> tuple[str, list[str]]:
    """(the file's text with every block regenerated, the specs of the blocks that were stale)."""
    text = markdown.read_text(encoding="utf-8")
    stale: list[str] = []

    def fill(match: re.Match) -> str:
        line = text.count("\n", 0, match.start()) + 1
        body = render(root, match["spec"], f"{markdown}:{line}")
        if body != match["body"]:
            stale.append(f"{markdown}:{line}: {match['spec']}")
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(fill, text), stale


def documents(root: Path) -> list[Path]:
    """The Markdown files whose blocks are generated: README.md and docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def sync(root: Path, check: bool = False) -> list[str]:
    """Regenerate every block (or, with `check`, only report the stale ones); returns the stale blocks."""
    stale: list[str] = []
    for markdown in documents(root):
        text, changed = refresh(markdown, root)
        stale += changed
        if changed and not check:
            markdown.write_text(text, encoding="utf-8")
    return stale
