"""`import sphere.config` stays light: no torch, numpy or jsonschema (the GPU image and every Snakefile
parse import it); loading a config without the head build imports no torch (report, claims, generators)."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("code", "heavy"),
    [
        ("import sphere.config, sphere.config.schema, sphere.config.checks", "{'torch', 'numpy', 'jsonschema'}"),
        ("from sphere.config import load_config; load_config('config/default.yaml', heads=False)", "{'torch'}"),
    ],
)
def test_config_imports_without_torch(code, heavy):
    code = f"import sys\n{code}\nheavy = {heavy} & set(sys.modules)\nassert not heavy, heavy"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
