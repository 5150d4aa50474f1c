"""Report verbs: a run's tables and figures, the paper's claims, and regenerating the committed tables."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sphere.cli.common import Verbs, default


def report(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.build import build_report

    build_report(load_config(args.config, heads=False), Path(args.run_dir))


def claims(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.claims import write_claims

    table = write_claims(load_config(args.config, heads=False), Path(args.run_dir))
    for row in table.itertuples(index=False):
        print(
            f"{row.id}: {row.verdict}: {row.claim}: {row.effect:+.3g} [{row.ci_low:.3g}, {row.ci_high:.3g}]",
            file=sys.stderr,
        )


def reproduce(args: argparse.Namespace) -> None:
    """Run the DAG into a scratch results root and compare its tables with the committed ones; exit 1 when an
    accuracy cell moved beyond the tolerance."""
    from sphere.config import load_config
    from sphere.report.reproduce import DEFAULT_TOLERANCE, compare_tables

    config = load_config(args.config)
    tolerance = (
        args.tolerance
        if args.tolerance is not None
        else config.get("reproduce", {}).get("tolerance", DEFAULT_TOLERANCE)
    )
    from sphere.paths import RunPaths

    committed = RunPaths.of(config).tables
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="sphere-reproduce-"))
    fresh = RunPaths(scratch / config["run"])
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


def register(verbs: Verbs) -> None:
    p = verbs.add_parser("report", help="tables and figures of a run")
    p.add_argument("--config", required=True)
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=report)

    p = verbs.add_parser(
        "claims",
        help="the paper's claims with effects, 95 %% intervals and verdicts "
        "(tables/claims.csv, .md, figures/claims.png)",
    )
    p.add_argument("--config", required=True)
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=claims)

    p = verbs.add_parser("reproduce", help="regenerate a run's tables and compare them with the committed ones")
    p.add_argument("--config", default="config/default.yaml")
    fallback = default("sphere.report.reproduce:compare_tables", "tolerance")
    p.add_argument(
        "--tolerance", type=float, help=f"accuracy points (default: the config's reproduce.tolerance, else {fallback})"
    )
    p.add_argument("--cores", default="all")
    p.add_argument("--scratch", help="results root to regenerate into (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(func=reproduce)
