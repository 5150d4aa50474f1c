"""Report verbs: a run's tables and figures, the paper's claims, and regenerating the committed tables."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sphere.cli.common import Verbs, default, run_config


def report(args: argparse.Namespace) -> None:
    from sphere.report.build import build_report

    cfg = run_config(args.config)
    if args.figures_only:  # a committed run: its figures from its tables (issue 23)
        from sphere.report.redraw import redraw_figures

        drawn, skipped = redraw_figures(cfg, Path(args.run_dir))
        print(
            f"redrawn: {', '.join(drawn) or 'none'}; "
            f"left as they are (no per-cell results or monitored training logs): {', '.join(skipped) or 'none'}"
        )
        return
    build_report(cfg, Path(args.run_dir))


def claims(args: argparse.Namespace) -> None:
    from sphere.report.claims import write_claims

    table = write_claims(run_config(args.config), Path(args.run_dir))
    for row in table.itertuples(index=False):
        print(
            f"{row.id}: {row.verdict}: {row.claim}: {row.effect:+.3g} [{row.ci_low:.3g}, {row.ci_high:.3g}]",
            file=sys.stderr,
        )


def reproduce(args: argparse.Namespace) -> None:
    """Run the DAG into a scratch results root and compare its tables with the committed ones; exit 1 when an
    accuracy cell moved beyond the tolerance (`--tolerance`, else the config's reproduce.tolerance)."""
    from sphere.paths import RunPaths
    from sphere.report.reproduce import compare_tables

    cfg = run_config(args.config, heads=True)
    tolerance = cfg.reproduce.tolerance if args.tolerance is None else args.tolerance
    committed = RunPaths.of(cfg).tables
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="sphere-reproduce-"))
    fresh = RunPaths(scratch / cfg.run)
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--cores",
        str(args.cores),
        "--configfile",
        args.config,
        "--config",
        f"results={scratch}",
    ]
    print("regenerating:", " ".join(command), flush=True)
    if subprocess.run(command).returncode:
        sys.exit(f"sphere reproduce: the DAG failed; its logs are under {fresh.logs}")
    moved = compare_tables(committed, fresh.tables, tolerance)
    for cell in moved:
        print(cell)
    failed = [c for c in moved if c.fails]
    print(f"{len(moved)} cell(s) moved, {len(failed)} beyond the tolerance of {tolerance} points on accuracy cells")
    if not args.keep and args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        sys.exit(1)


def view(args: argparse.Namespace) -> None:
    from sphere.paths import RunPaths
    from sphere.report.view import write_view

    paths = RunPaths(args.run_dir)
    written = write_view(paths, Path(args.out), paths.root.name)
    print(f"{len(written)} files under {args.out}: results.html, tables.html and the committed tables and figures")


def register(verbs: Verbs) -> None:
    p = verbs.add_parser(
        "view", help="a run's committed tables, figures and training logs, a tables page and a results page (html/view)"
    )
    p.add_argument("--run-dir", required=True, help="the run's results folder")
    p.add_argument("--out", required=True, help="folder to write (results.html, tables.html, copies of the files)")
    p.set_defaults(func=view)

    p = verbs.add_parser("report", help="tables and figures of a run")
    p.add_argument("--config", required=True, help="the run's config (YAML)")
    p.add_argument("--run-dir", required=True, help="the run's results folder")
    p.add_argument(
        "--figures-only",
        action="store_true",
        help="redraw the figures from the run's tables and training logs (and its per-cell results where present); "
        "no table is written",
    )
    p.set_defaults(func=report)

    p = verbs.add_parser(
        "claims",
        help="the paper's claims with effects, 95 %% intervals and verdicts "
        "(tables/claims.csv, .md, figures/claims.png)",
    )
    p.add_argument("--config", required=True, help="the run's config (YAML)")
    p.add_argument("--run-dir", required=True, help="the run's results folder")
    p.set_defaults(func=claims)

    p = verbs.add_parser("reproduce", help="regenerate a run's tables and compare them with the committed ones")
    p.add_argument("--config", default="config/default.yaml", help="run config to regenerate")
    fallback = default("sphere.config.sections:ReproduceConfig", "tolerance")
    p.add_argument(
        "--tolerance",
        type=float,
        help=f"accuracy points (default: the config's reproduce.tolerance, {fallback} where it sets none)",
    )
    p.add_argument("--cores", default="all", help="snakemake --cores")
    p.add_argument("--scratch", help="results root to regenerate into (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(func=reproduce)
