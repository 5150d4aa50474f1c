"""The robustness corpus (issue 13): every row of cases.CASES through `sphere.cli.main`, asserting the exit
status, a one-line message naming the file and line or the config key, no traceback for user errors,
and, for refused inputs, that nothing in the workspace changed (earlier outputs kept byte for byte).
Two more rows need a process of their own: a full disk, and the Snakefile refusing a bad config."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from cases import CASES as BASE_CASES  # noqa: E402
from cases import LFW, Case  # noqa: E402
from evaluate_cases import EVALUATE_CASES  # noqa: E402
from workspace import build, config  # noqa: E402

from sphere.cli import USER_VERBS, main  # noqa: E402
from sphere.errors import UserError  # noqa: E402

CASES = BASE_CASES + EVALUATE_CASES


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("base")
    build(ws)
    return ws


def snapshot(ws: Path) -> dict[str, bytes]:
    """Every file of the workspace (lock files aside: a holder writes its pid there)."""
    return {
        str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*")) if p.is_file() and p.name != "train.lock"
    }


def run(case: Case, ws: Path, capsys) -> tuple[int, str]:
    """(exit status, stderr) of the case's command; an exception other than SystemExit fails the test."""
    argv = [a.replace("{ws}", str(ws)) for a in case.argv]
    status = 0
    with case.during(ws) if case.during else contextlib.nullcontext():
        try:
            if argv[0] == "@reader":  # module:function:file, reported as main reports a UserError
                module, function, name = argv[1].split(":")
                try:
                    getattr(importlib.import_module(module), function)(ws / name)
                except UserError as error:
                    print(f"sphere reader: {error}", file=sys.stderr)
                    status = 2
            else:
                main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:  # a traceback: what a user must never see for their own mistake
            pytest.fail(f"{case.id}: {type(error).__name__} escaped main: {error}")
    return status, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, base: Path, tmp_path: Path, capsys) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    case.spoil(ws)
    before = snapshot(ws)
    status, err = run(case, ws, capsys)
    assert "Traceback" not in err
    assert status == case.status, err
    if case.status:
        last = err.strip().splitlines()[-1]
        verb = "reader" if case.argv[0] == "@reader" else case.argv[0]
        verb = verb if verb in USER_VERBS or verb == "reader" else f"step {verb}"  # a DAG step's prefix
        assert last.startswith(f"sphere {verb}: "), last
        assert re.search(case.message, last), last
        assert snapshot(ws) == before, "a refused input changed files in the workspace"
    else:
        assert re.search(case.message, err, re.S), err
        if "corrupt" in case.message:
            assert list((ws / "model").glob("*.corrupt")) and (ws / "model" / "model.pt").exists()


def test_corpus_size() -> None:
    refused = sum(c.status != 0 for c in CASES)
    assert len(CASES) + 2 >= 50 and refused >= 40 and len(CASES) - refused >= 10


def test_full_disk_keeps_earlier_outputs(base: Path, tmp_path: Path) -> None:
    """A write past the file-size limit (EFBIG, like a full disk) names the path and leaves the earlier
    lfw.json as it was: no half-written output that looks complete."""
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    before = snapshot(ws)
    import resource

    def limit() -> None:  # Python ignores SIGXFSZ, so an oversized write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    argv = [a.replace("{ws}", str(ws)) for a in LFW]
    result = subprocess.run(
        [sys.executable, "-m", "sphere", *argv],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert re.match(r"sphere evaluate: cannot write .*out/lfw/lfw\.json: File too large \(disk full", last), last
    assert snapshot(ws) == before
    assert not [p for p in (ws / "out" / "lfw").iterdir() if ".tmp" in p.name]


def test_snakefile_refuses_a_bad_head_parameter_before_any_job(tmp_path: Path) -> None:
    """A-Softmax m: 7 used to pass the DAG and fail only when its training started; now the Snakefile's
    first lines stop it, naming the key, and nothing is written."""
    data = config()
    data["results"] = str(tmp_path / "results")
    data["methods"]["asoftmax-m4"]["params"]["m"] = 7
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--cores",
            "1",
            "-d",
            str(tmp_path / "wd"),
            "-s",
            str(REPO / "Snakefile"),
            "--configfile",
            str(tmp_path / "bad.yaml"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "methods.asoftmax-m4.params.m: 7 is not allowed; asoftmax margin m takes one of 1, 2, 3, 4, 5" in output
    assert not (tmp_path / "results").exists()
