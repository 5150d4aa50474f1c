"""`sphere bench megaface` (sphere/cli/bench.py): prints and writes the seconds."""

from __future__ import annotations

import json

from sphere.cli import main


def test_bench_megaface_prints_and_writes_seconds(tmp_path, capsys):
    main(
        [
            "bench",
            "megaface",
            "--probes",
            "20",
            "--distractors",
            "300",
            "--dim",
            "16",
            "--device",
            "cpu",
            "--json",
            str(tmp_path / "bench.json"),
        ]
    )
    assert json.loads((tmp_path / "bench.json").read_text())["seconds"] > 0
    assert "MegaFace ladder" in capsys.readouterr().out
