"""One HTML page with every table of a run (title from its .md, the paper's columns marked), for
`snakemake --report`: the report shows HTML inline, CSV files only as downloads."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sphere.paths import markdown_of

STYLE = """body{font-family:sans-serif;font-size:13px;margin:1em}
table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#eee}td:first-child,th:first-child{text-align:left}.paper{background:#fff3cd}
h2{font-size:15px;margin-bottom:.3em}p.file{color:#666;margin-top:0}"""


def title_of(csv: Path) -> str:
    """The table's title: the heading of its .md rendering, else its file name."""
    md = markdown_of(csv)
    if md.exists():
        first = md.read_text().splitlines()[0]
        if first.startswith("# "):
            return first[2:]
    return csv.stem


def table_html(csv: Path) -> str:
    """A table as HTML; the paper's numbers (columns `paper*`) shaded beside ours."""
    frame = pd.read_csv(csv)
    shown = frame.astype(object).where(frame.notna(), "")
    marks = [' class="paper"' if str(c).startswith("paper") else "" for c in shown.columns]
    head = "".join(f"<th{m}>{html.escape(str(c))}</th>" for c, m in zip(shown.columns, marks))
    body = "".join(
        "<tr>" + "".join(f"<td{m}>{html.escape(str(v))}</td>" for v, m in zip(row, marks)) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    return (
        f'<h2 id="{html.escape(csv.stem)}">{html.escape(title_of(csv))}</h2>'
        f'<p class="file">tables/{html.escape(csv.name)}</p><table><tr>{head}</tr>{body}</table>'
    )


def tables_page(tables: list[Path], out: Path, title: str) -> Path:
    """Write the page of `tables` (in order) to `out`."""
    from sphere import runtime

    index = " | ".join(f'<a href="#{html.escape(Path(t).stem)}">{html.escape(Path(t).stem)}</a>' for t in tables)
    sections = "\n".join(table_html(Path(t)) for t in tables)
    text = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{index}</p>"
        "<p>Shaded columns: the paper's numbers.</p>\n" + sections + "\n</body></html>\n"
    )
    runtime.write_text(out, text)
    return Path(out)
