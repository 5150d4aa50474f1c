"""The DAG's bookkeeping verbs: `sphere resources-table` (tables/resources.csv from the Snakemake
benchmarks) and `sphere tables-page` (one HTML page of a run's tables for `snakemake --report`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sphere.cli.common import Verbs


def register(verbs: Verbs) -> None:
    p = verbs.add_parser(
        "resources-table",
        help="wall s, CPU s and max RSS per DAG job from the usage records its jobs wrote (tables/resources.csv + .md)",
    )
    p.add_argument("--run-dir", type=Path, required=True, help="the run folder (its benchmarks/ are read)")
    p.add_argument("--out", type=Path, required=True, help="CSV to write (the .md beside it)")
    p.set_defaults(func=resources_table)
    p = verbs.add_parser("tables-page", help="one HTML page of a run's tables, the paper's columns marked")
    p.add_argument("--tables", type=Path, nargs="+", required=True, help="table CSVs, in the order shown")
    p.add_argument("--title", default="sphere: tables", help="page title")
    p.add_argument("--out", type=Path, required=True, help="HTML file to write")
    p.set_defaults(func=tables_page)
    p = verbs.add_parser("docs", help="regenerate the result tables of README.md and docs/*.md from the committed CSVs")
    p.add_argument("--root", type=Path, default=Path("."), help="the repository (default: %(default)s)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 2 naming every stale table")
    p.set_defaults(func=docs)


def resources_table(args: argparse.Namespace) -> None:
    from sphere.paths import RunPaths
    from sphere.report.resources import write_resources

    table = write_resources(RunPaths(args.run_dir), args.out)
    if len(table):
        total = table.iloc[-1]
        print(
            f"{total['wildcards']}: {total['wall_s']:.0f} s wall, {total['cpu_s']:.0f} s CPU, "
            f"max RSS {total['max_rss_mb']:.0f} MB"
        )


def tables_page(args: argparse.Namespace) -> None:
    from sphere.report.page import tables_page as write_page

    write_page(args.tables, args.out, args.title)


def docs(args: argparse.Namespace) -> None:
    from sphere.errors import InputError
    from sphere.report.docs import sync

    stale = sync(args.root, check=args.check)
    if stale and args.check:
        raise InputError(f"{len(stale)} stale table(s), run `sphere step docs`: " + "; ".join(stale))
    print(f"{len(stale)} table(s) regenerated" if stale else "every table is current")
