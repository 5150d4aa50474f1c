"""YTF through `sphere evaluate`, and `sphere step megaface` (sphere/cli/protocols.py), on the tiny
generated sets of conftest.generated."""

from __future__ import annotations

import json

import numpy as np

from sphere.cli import main


def test_ytf_is_scored_by_evaluate_with_the_aggregation_record(generated, capsys):
    out = generated / "metrics"
    main(
        [
            "evaluate",
            "--benchmark",
            "ytf",
            "--features",
            str(generated / "ytf.npy"),
            "--store",
            str(generated / "stores" / "ytf"),
            "--pairs",
            str(generated / "ytf" / "splits.txt"),
            "--out",
            str(out),
            "--frame-cap",
            "2",
            "--frame-selection",
            "first",
        ]
    )
    result = json.loads((out / "ytf.json").read_text())
    assert result["aggregation"]["frame_cap"] == 2 and result["aggregation"]["frame_selection"] == "first frames"
    assert result["pairs_total"] == 8 and len(result["fold_accuracy"]) == 2
    assert "ytf (released rule)" in capsys.readouterr().out


def test_megaface_verb_scores_every_list_by_default(generated):
    out = generated / "metrics" / "megaface.json"
    stores = generated / "stores"
    main(
        [
            "megaface",
            "--probe-features",
            str(generated / "probe.npy"),
            "--probe-store",
            str(stores / "probe"),
            "--distractor-features",
            str(generated / "distractor.npy"),
            "--distractor-store",
            str(stores / "distractor"),
            "--probe-list",
            str(generated / "mf" / "templatelists" / "facescrub_features_list.json"),
            "--lists",
            str(generated / "mf" / "templatelists"),
            "--out",
            str(out),
            "--device",
            "cpu",
        ]
    )
    result = json.loads(out.read_text())
    assert [r["distractors"] for r in result["results"]] == [4, 12] and result["nested_lists"]
    largest = result["results"][-1]
    assert len(largest["identification"]["cmc"]) == 10 and largest["identification"]["n_queries"] == 6
    assert largest["verification"]["n_impostor"] == 6 * 12
    far = np.array(largest["verification"]["roc"]["far"])
    assert far[0] == 1.0 and (np.diff(far) <= 0).all() and len(far) < 1000
