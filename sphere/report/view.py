"""The reader's view of a committed run (issue 23): `sphere step view` copies every committed table, figure and
training log of `results/<run>/` under `html/view/` (the files `snakemake --report` lists, each with its caption)
and writes two pages there: every table (`tables.html`) and the results page (`results.html`), which puts each of
the paper's tables beside ours, with the gap and the claims' verdicts. Reads only what a fresh clone has."""

from __future__ import annotations

import hashlib
import html
import shutil
from pathlib import Path

import pandas as pd

from sphere.paths import RunPaths
from sphere.report.outputs import CLAIMS
from sphere.report.page import STYLE, tables_page, title_of

# The paper's tables and ours: (section id, heading, our table, our column -> the paper's column).
COMPARED = [
    (
        "table3",
        "Table 3: accuracy vs margin m (LFW, YTF)",
        "accuracy_vs_m",
        {"lfw_acc": "paper_lfw", "ytf_acc": "paper_ytf"},
    ),
    (
        "table4",
        "Table 4: loss comparison (LFW, YTF)",
        "loss_comparison",
        {"lfw_acc": "paper_lfw", "ytf_acc": "paper_ytf"},
    ),
    (
        "fig6",
        "Fig. 6: accuracy vs depth (LFW; paper end points at 4 and 64 layers)",
        "accuracy_vs_depth",
        {"lfw_acc": "paper_lfw"},
    ),
    (
        "table5",
        "Table 5: MegaFace (the paper's values at 1M distractors)",
        "megaface",
        {"rank1": "paper_rank1_1M", "tar_at_far_1e-6": "paper_tar_1M"},
    ),
]
EXTRA_STYLE = (
    ".gap{color:#555}.reproduced{background:#d4edda}.notreproduced{background:#f8d7da}.inconclusive{background:#eee}"
)


def view_files(paths: RunPaths) -> list[Path]:
    """Every committed file the view shows, relative to the run folder: tables (CSV), figures (PNG), training logs."""
    found = [*paths.tables.glob("*.csv"), *(paths.root / "figures").glob("*.png"), *paths.root.glob("training/*/*.csv")]
    return sorted(p.relative_to(paths.root) for p in found)


def digest(paths: RunPaths) -> str:
    """A hash of the names and bytes of `view_files`: the view job reruns when a committed file changed."""
    h = hashlib.sha256()
    for rel in view_files(paths):
        h.update(str(rel).encode() + b"\0" + (paths.root / rel).read_bytes())
    return h.hexdigest()[:16]


def comparison(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """method (and its key columns), then per metric: ours, the paper's, paper - ours; rows without any paper
    value keep ours with blanks beside."""
    keys = [c for c in ("method", "m", "loss", "depth", "distractors", "seeds") if c in table]
    shown = table[keys].copy()
    for ours, paper in columns.items():
        if ours in table and paper in table:
            shown[f"ours: {ours}"] = table[ours]
            shown[f"paper: {ours}"] = table[paper]
            shown[f"paper - ours: {ours}"] = (table[paper] - table[ours]).round(2)
    return shown


def frame_html(frame: pd.DataFrame, row_class: list[str] | None = None) -> str:
    shown = frame.astype(object).where(frame.notna(), "")
    marks = [' class="paper"' if str(c).startswith("paper") else "" for c in shown.columns]
    head = "".join(f"<th{m}>{html.escape(str(c))}</th>" for c, m in zip(shown.columns, marks))
    rows = []
    for i, row in enumerate(shown.itertuples(index=False)):
        cls = f' class="{row_class[i]}"' if row_class else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td{m}>{html.escape(str(v))}</td>" for v, m in zip(row, marks)) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def results_page(paths: RunPaths, out: Path, run: str) -> Path:
    """results.html: each paper table beside ours (with paper - ours), then the claims with their verdicts."""
    from sphere import runtime

    sections = []
    for sid, heading, name, columns in COMPARED:
        if paths.table(name).exists():
            table = pd.read_csv(paths.table(name))
            sections.append(
                f'<h2 id="{sid}">{html.escape(heading)}</h2><p class="file">ours: tables/{name}.csv '
                f"({html.escape(title_of(paths.table(name)))})</p>" + frame_html(comparison(table, columns))
            )
    if paths.table(CLAIMS).exists():
        claims = pd.read_csv(paths.table(CLAIMS))
        shown = claims[["id", "claim", "paper", "measured", "effect", "ci_low", "ci_high", "unit", "p", "verdict"]]
        sections.append(
            '<h2 id="claims">The paper\'s claims and their verdicts (effect with its 95 % interval)</h2>'
            + frame_html(shown, [v.replace(" ", "") for v in claims["verdict"]])
        )
    text = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>sphere: results of run {html.escape(run)}</title>'
        f"<style>{STYLE}{EXTRA_STYLE}</style></head><body>"
        f"<h1>Run {html.escape(run)}: the paper's tables beside ours</h1>"
        "<p>Shaded columns: the paper's numbers (64-layer CNN, CASIA-WebFace, 112x96). Ours: means over seeds "
        "(<code>seeds</code>); compare the direction of effects, not their size.</p>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )
    runtime.write_text(out, text)
    return out


def write_view(paths: RunPaths, out_dir: Path, run: str) -> list[Path]:
    """Copy the committed files under `out_dir` (same relative paths) and write results.html and tables.html."""
    written = []
    for rel in view_files(paths):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(paths.root / rel, target)
        written.append(target)
    tables = [paths.root / rel for rel in view_files(paths) if rel.parts[0] == "tables"]
    written.append(tables_page(tables, out_dir / "tables.html", f"sphere: tables of run {run}"))
    written.append(results_page(paths, out_dir / "results.html", run))
    return written
