"""`import sphere.config` stays light: no torch, numpy or jsonschema (the GPU image and every Snakefile
parse import it)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_config_imports_without_torch():
    code = (
        "import sys, sphere.config, sphere.config.schema, sphere.config.checks\n"
        "heavy = {'torch', 'numpy', 'jsonschema'} & set(sys.modules)\nassert not heavy, heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
