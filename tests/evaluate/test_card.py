"""The protocol card of every `sphere evaluate` result: its contents, its one-line summary and the
comparison of two results (`sphere evaluate-compare`)."""

import hashlib
import json
import shutil

import pytest

from sphere.cli import main
from sphere.evaluate.card import THRESHOLD_RULES, differences, summary
from sphere.evaluate.models import Preprocess
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import read_embeddings, write_embeddings
from sphere.protocols.rules import SOURCES
from tests.evaluate.test_models import H, W, lfw_folder, linear_weights, torchscript_file  # noqa: F401


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_card_of_an_embeddings_result(lfw, tmp_path):
    pairs, emb, *_ = lfw
    result = evaluate("lfw", Source(embeddings=emb), tmp_path / "out", "all", pairs=pairs)
    card = json.loads((tmp_path / "out" / "lfw.json").read_text())["card"]
    assert card == json.loads(json.dumps(result["card"]))
    bench = card["benchmark"]
    assert bench["files"]["pairs"]["sha256"] == sha(pairs)
    assert (bench["pairs"], bench["pairs_scored"], bench["folds"], bench["standard"]) == (60, 60, 3, False)
    assert card["rule"] == {
        "name": "released",
        "source": SOURCES["released"],
        "threshold": THRESHOLD_RULES["released"],
        "others_reported": ["insightface", "opensphere", "facexzoo"],
    }
    assert card["flip_fusion"] == "concat"
    assert card["features"]["file"]["sha256"] == sha(emb) and card["features"]["input"] == "embeddings"
    assert card["alignment"]["align"].startswith("unknown")
    line = summary(card)
    assert line.startswith(f"card: lfw {pairs.name} {sha(pairs)[:12]} (60 pairs, 3 folds, non-standard)")
    assert f"rule released [{SOURCES['released']}]" in line and sha(emb)[:12] in line


def test_differences_name_what_moved_and_skip_paths(lfw, tmp_path):
    pairs, emb, *_ = lfw
    released = evaluate("lfw", Source(embeddings=emb), tmp_path / "a", pairs=pairs)["card"]
    moved = tmp_path / "elsewhere" / "copy.npz"
    moved.parent.mkdir()
    shutil.copyfile(emb, moved)
    copied = evaluate("lfw", Source(embeddings=moved), tmp_path / "b", pairs=pairs)["card"]
    assert copied["features"]["file"]["name"] == "copy.npz"
    assert differences(released, copied) == []  # another path and name, the same bytes: the same card
    other = evaluate("lfw", Source(embeddings=emb), tmp_path / "c", "insightface", pairs=pairs)["card"]
    keys = [k for k, _, _ in differences(released, other)]
    assert keys == ["rule.name", "rule.source", "rule.threshold", "flip_fusion"]
    data = read_embeddings(emb)
    write_embeddings(moved, data.face + 1, data.names, data.flip)
    changed = evaluate("lfw", Source(embeddings=moved), tmp_path / "d", pairs=pairs)["card"]
    assert ("features.file.sha256", sha(emb), sha(moved)) in differences(released, changed)


def test_card_of_a_model_result_holds_its_hash_and_preprocessing(tmp_path, lfw_folder):  # noqa: F811
    root, pairs, *_ = lfw_folder
    model = torchscript_file(tmp_path / "m.pt", *linear_weights())
    pre = Preprocess((H, W), mean=100.0, std=50.0, channels="bgr")
    card = evaluate("lfw", Source(model=model, preprocess=pre, device="cpu"), tmp_path / "o", root=root, pairs=pairs)[
        "card"
    ]
    assert card["features"]["file"]["sha256"] == sha(model)
    assert card["features"]["preprocessing"] == {
        "model": "torchscript",
        "input_size": [H, W],
        "pixel_mean": 100.0,
        "pixel_std": 50.0,
        "channels": "bgr",
    }
    assert card["alignment"] == {"align": "none", "template": None, "detector": None}
    assert f"({H}x{W} bgr mean 100.0 std 50.0)" in summary(card)


def test_evaluate_compare_verb(lfw, tmp_path, capsys):
    pairs, emb, *_ = lfw
    for out, rule in (("a", "released"), ("b", "released"), ("c", "opensphere")):
        evaluate("lfw", Source(embeddings=emb), tmp_path / out, rule, pairs=pairs)
    main(["evaluate-compare", str(tmp_path / "a" / "lfw.json"), str(tmp_path / "b" / "lfw.json")])
    assert "agree" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["evaluate-compare", str(tmp_path / "a" / "lfw.json"), str(tmp_path / "c" / "lfw.json")])
    assert stop.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'rule.name: "released" | "opensphere"' and len(lines) == 4
    (tmp_path / "old.json").write_text(json.dumps({"benchmark": "lfw", "accuracy": 99.0}))
    with pytest.raises(SystemExit) as stop:
        main(["evaluate-compare", str(tmp_path / "a" / "lfw.json"), str(tmp_path / "old.json")])
    assert stop.value.code == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("old.json: no protocol card (not a `sphere evaluate` result, or written before cards)")
    )
