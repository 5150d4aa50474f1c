"""Run code in a fresh interpreter with only the repository on its path, for what one process imports or
does at start-up (`from tests.fresh_python import run_python`)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -c code` in the repository root; stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def assert_not_imported(code: str, modules: set[str]) -> None:
    """After `code`, none of `modules` is in sys.modules."""
    done = run_python(f"import sys\n{code}\nheavy = {set(modules)!r} & set(sys.modules)\nassert not heavy, heavy")
    assert done.returncode == 0, done.stderr[-2000:]
