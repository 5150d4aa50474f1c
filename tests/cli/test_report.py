"""sphere/cli/report.py: the report verbs build the typed run config once (sphere.config.typed) and read their
settings from it; `sphere reproduce` takes --tolerance, else the config's reproduce.tolerance, else its one default
(ReproduceConfig, sphere/config/sections.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from sphere.cli import main
from sphere.config.sections import ReproduceConfig
from sphere.report import reproduce


def write_config(tmp_path: Path, **sections: dict) -> str:
    config = {
        "run": "r",
        "results": str(tmp_path / "results"),
        "methods": {"softmax": {"loss": "softmax"}},
        "tables": {"accuracy_vs_m": ["softmax"]},
        **sections,
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.mark.parametrize(
    ("sections", "flag", "expected"),
    [
        ({}, [], ReproduceConfig().tolerance),
        ({"reproduce": {"tolerance": 2.5}}, [], 2.5),
        ({"reproduce": {"tolerance": 2.5}}, ["--tolerance", "0.25"], 0.25),
    ],
)
def test_reproduce_tolerance_is_the_flag_else_the_configs(tmp_path, monkeypatch, capsys, sections, flag, expected):
    seen: dict = {}

    def snakemake(command: list[str]) -> SimpleNamespace:
        seen["command"] = command
        return SimpleNamespace(returncode=0)

    def compare_tables(committed: Path, fresh: Path, tolerance: float) -> list:
        seen.update(committed=committed, fresh=fresh, tolerance=tolerance)
        return []

    monkeypatch.setattr(subprocess, "run", snakemake)
    monkeypatch.setattr(reproduce, "compare_tables", compare_tables)
    scratch = tmp_path / "scratch"
    main(["reproduce", "--config", write_config(tmp_path, **sections), "--scratch", str(scratch), *flag])
    assert seen["tolerance"] == expected
    assert seen["committed"] == tmp_path / "results" / "r" / "tables"  # RunPaths.of the typed config
    assert seen["fresh"] == scratch / "r" / "tables" and f"results={scratch}" in seen["command"]
    assert f"beyond the tolerance of {expected} points" in capsys.readouterr().out


def test_report_figures_only_reads_the_typed_config(tmp_path, capsys):
    """A run folder without tables or logs: every figure of the config is named as left alone."""
    main(["report", "--figures-only", "--config", write_config(tmp_path), "--run-dir", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert out.startswith("redrawn: none;") and "angle_hist, accuracy_vs_m, feature_norm, claims" in out
