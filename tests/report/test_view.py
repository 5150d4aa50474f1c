"""The reader's view (issue 23): `snakemake view --report-after-run --report ...` builds the report of a run's
committed tables, figures and training logs without rerunning the DAG, on a fresh clone's files and after a run,
with no "Missing metadata" warnings; headless Chromium (scripts/check-report.py) finds every figure and the
results page, with each paper table beside ours, where Chromium is installed."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sphere.paths import RunPaths
from sphere.report.view import comparison, results_page
from tests.workflow.test_end_to_end import tiny_run  # noqa: F401  (the tiny synthetic run, a module fixture)

REPO = Path(__file__).resolve().parents[2]


def check_report():
    spec = importlib.util.spec_from_file_location("check_report", REPO / "scripts" / "check-report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_view(configfile: Path, run: Path) -> str:
    """The README's command on a run folder; its log (stdout and stderr)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "view",
            "--configfile",
            str(configfile),
            "--cores",
            "1",
            "--report-after-run",
            "--report",
            str(run / "report.html"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def assert_report_complete(run: Path, log: str) -> None:
    assert "Missing metadata" not in log and "WARNING" not in log.upper().replace("WARNINGS", "")
    assert (run / "report.html").stat().st_size > 100_000
    module = check_report()
    browser = module.find_browser()
    if browser is None:
        pytest.skip("the view was built but not rendered: no Chromium (apt-get install -y chromium)")
    figures = sorted(p.name for p in (run / "figures").glob("*.png"))
    assert module.check(run / "report.html", [*figures, "results.html"], browser) == []
    assert module.check_results_page(run / "html" / "view" / "results.html", run / "tables", browser) == []


def test_view_of_the_committed_results_as_a_fresh_clone_has_them(tmp_path):
    committed = REPO / "results" / "default"
    run = tmp_path / "default"
    for part in ("tables", "figures", "training"):
        shutil.copytree(committed / part, run / part)
    config = yaml.safe_load((committed / "config.yaml").read_text())
    config["results"] = str(tmp_path)
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    configfile = tmp_path / "config.yaml"
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    log = build_view(configfile, run)
    view = run / "html" / "view"
    assert sorted(p.name for p in (view / "figures").iterdir()) == sorted(p.name for p in (run / "figures").iterdir())
    assert (view / "tables" / "claims.csv").read_bytes() == (run / "tables" / "claims.csv").read_bytes()
    assert_report_complete(run, log)


def test_view_after_a_run(tiny_run):  # noqa: F811
    configfile, run = tiny_run
    assert_report_complete(run, build_view(configfile, run))


def test_results_page_puts_the_paper_beside_ours_with_the_gap(tmp_path):
    paths = RunPaths(tmp_path)
    paths.tables.mkdir()
    table = pd.DataFrame(
        {"method": ["softmax", "x"], "seeds": [3, 1], "lfw_acc": [86.0, 90.0], "paper_lfw": [97.88, None]}
    )
    table.to_csv(paths.table("accuracy_vs_m"), index=False)
    shown = comparison(table, {"lfw_acc": "paper_lfw", "ytf_acc": "paper_ytf"})
    assert list(shown.columns) == ["method", "seeds", "ours: lfw_acc", "paper: lfw_acc", "paper - ours: lfw_acc"]
    assert shown["paper - ours: lfw_acc"].iloc[0] == pytest.approx(11.88) and pd.isna(shown.iloc[1, -1])
    page = results_page(paths, tmp_path / "results.html", "t").read_text()
    assert '<h2 id="table3">' in page and '<td class="paper">97.88</td>' in page and 'id="table4"' not in page
