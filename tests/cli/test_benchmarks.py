"""`sphere synth-ytf | synth-megaface | ytf | megaface | bench megaface` on tiny generated sets."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from sphere.align.store_builder import align_with_landmarks
from sphere.cli import main
from sphere.store.io import read_store


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A config with tiny ytf and megaface sections, generated through the CLI and aligned."""
    root = tmp_path_factory.mktemp("cli")
    config = {"run": "cli", "methods": {"softmax": {"loss": "softmax"}}, "tables": {}}
    config["ytf"] = {"frame_cap": 2, "frame_selection": "first", "synthetic": {
        "identities": 8, "videos_per_identity": 2, "frames_per_video": 3, "splits": 2, "pairs_per_split": 4,
        "raw_size": 48}}
    config["megaface"] = {"sizes": [4, 12], "synthetic": {"probe_identities": 3, "probe_images_per_identity": 2,
                                                          "raw_size": 48}}
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    main(["synth-ytf", "--config", str(root / "config.yaml"), "--out", str(root / "ytf")])
    main(["synth-megaface", "--config", str(root / "config.yaml"), "--out", str(root / "mf")])
    for store, raw, landmarks in (("ytf", "ytf/frame_images_DB", "ytf/ytf_landmarks.txt"),
                                  ("probe", "mf/facescrub", "mf/probe_landmarks.txt"),
                                  ("distractor", "mf/megaface", "mf/distractor_landmarks.txt")):
        align_with_landmarks(root / raw, root / landmarks, root / "stores" / store, (28, 24), progress=False)
        n = len(read_store(root / "stores" / store).index)
        np.save(root / f"{store}.npy", np.random.default_rng(0).normal(size=(n, 8)).astype(np.float32))
    return root


def test_synth_verbs_follow_the_config_sections(generated):
    manifest = json.loads((generated / "ytf" / "manifest.json").read_text())
    assert manifest["counts"] == {"identities": 8, "videos": 16, "frames": 48, "splits": 2, "pairs": 8}
    lists = sorted(p.name for p in (generated / "mf" / "templatelists").iterdir())
    assert lists == ["facescrub_features_list.json", "megaface_features_list.json_12_1",
                     "megaface_features_list.json_4_1"]


def test_ytf_verb_writes_metrics_with_the_aggregation_record(generated, capsys):
    out = generated / "metrics" / "ytf.json"
    main(["ytf", "--features", str(generated / "ytf.npy"), "--store", str(generated / "stores" / "ytf"),
          "--splits", str(generated / "ytf" / "splits.txt"), "--out", str(out), "--frame-cap", "2",
          "--frame-selection", "first"])
    result = json.loads(out.read_text())
    assert result["aggregation"]["frame_cap"] == 2 and result["aggregation"]["frame_selection"] == "first frames"
    assert result["n_pairs"] == 8 and result["n_videos"] == 16 and len(result["split_accuracy"]) == 2
    assert "YTF protocol" in capsys.readouterr().out


def test_megaface_verb_scores_every_list_by_default(generated):
    out = generated / "metrics" / "megaface.json"
    stores = generated / "stores"
    main(["megaface", "--probe-features", str(generated / "probe.npy"), "--probe-store", str(stores / "probe"),
          "--distractor-features", str(generated / "distractor.npy"), "--distractor-store", str(stores / "distractor"),
          "--probe-list", str(generated / "mf" / "templatelists" / "facescrub_features_list.json"),
          "--lists", str(generated / "mf" / "templatelists"), "--out", str(out), "--device", "cpu"])
    result = json.loads(out.read_text())
    assert [r["distractors"] for r in result["results"]] == [4, 12] and result["nested_lists"]
    largest = result["results"][-1]
    assert len(largest["identification"]["cmc"]) == 10 and largest["identification"]["n_queries"] == 6
    assert largest["verification"]["n_impostor"] == 6 * 12
    far = np.array(largest["verification"]["roc"]["far"])
    assert far[0] == 1.0 and (np.diff(far) <= 0).all() and len(far) < 1000


def test_bench_megaface_prints_and_writes_seconds(tmp_path, capsys):
    main(["bench", "megaface", "--probes", "20", "--distractors", "300", "--dim", "16", "--device", "cpu",
          "--json", str(tmp_path / "bench.json")])
    assert json.loads((tmp_path / "bench.json").read_text())["seconds"] > 0
    assert "MegaFace ladder" in capsys.readouterr().out
