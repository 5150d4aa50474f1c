"""`sphere evaluate` from the command line: one printed line, and bad input as one error line."""

import json

import numpy as np
import pytest

from sphere.cli import main


def test_prints_one_line_and_writes_the_json(lfw, tmp_path, capsys):
    pairs, emb, *_ = lfw
    main(["evaluate", "--embeddings", str(emb), "--benchmark", "lfw", "--pairs", str(pairs), "--out", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()[0]
    assert out.startswith("lfw (released rule): ") and "60/60 pairs, 3 folds NON-STANDARD" in out
    result = json.loads((tmp_path / "lfw.json").read_text())
    assert f"{result['accuracy']:.2f} +- {result['std']:.2f} %" in out
    assert {"accuracy", "std", "rule", "pairs_scored", "pairs_total", "standard"} <= set(result)


def test_bad_input_is_one_line_without_traceback(lfw, tmp_path, capsys):
    pairs, _, paths, *_ = lfw
    face = np.ones((len(paths), 4), np.float32)
    face[3] = np.nan
    np.savez(tmp_path / "bad.npz", embeddings=face, names=np.array(paths))
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "evaluate",
                "--embeddings",
                str(tmp_path / "bad.npz"),
                "--benchmark",
                "lfw",
                "--pairs",
                str(pairs),
                "--out",
                str(tmp_path / "o"),
            ]
        )
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and err.startswith("sphere evaluate: ")
    assert "bad.npz" in err and "non-finite" in err and "1 embedding row(s)" in err and "rows 3," in err
    assert not (tmp_path / "o" / "lfw.json").exists()
