"""`sphere step synth-ytf | synth-megaface | store-recordio` (sphere/cli/data.py)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from sphere.cli import main
from sphere.formats.recordio import write_insightface_set
from sphere.store.io import read_store


def test_synth_verbs_follow_the_config_sections(generated):
    manifest = json.loads((generated / "ytf" / "manifest.json").read_text())
    assert manifest["counts"] == {"identities": 8, "videos": 16, "frames": 48, "splits": 2, "pairs": 8}
    lists = sorted(p.name for p in (generated / "mf" / "templatelists").iterdir())
    assert lists == [
        "facescrub_features_list.json",
        "megaface_features_list.json_12_1",
        "megaface_features_list.json_4_1",
    ]


@pytest.fixture
def recordio(tmp_path):
    def faces():
        for label in (1, 1, 2, 2, 2, 7):
            buffer = io.BytesIO()
            Image.fromarray(np.full((112, 112, 3), label, np.uint8)).save(buffer, "PNG")
            yield label, buffer.getvalue()

    write_insightface_set(tmp_path / "train.rec", tmp_path / "train.idx", faces())
    return tmp_path


def test_store_recordio_takes_an_exclude_list_of_class_numbers(recordio, capsys):
    (recordio / "overlap.txt").write_text("000002  # in LFW\n")
    main(["store-recordio", "--rec", str(recordio / "train.rec"), "--out", str(recordio / "s"),
          "--exclude", str(recordio / "overlap.txt"), "--min-images", "2"])  # fmt: skip
    assert read_store(recordio / "s").index["identity"].tolist() == ["000001", "000001"]
    (recordio / "names.txt").write_text("Abe_Lincoln\n")
    with pytest.raises(SystemExit) as stop:
        main(["store-recordio", "--rec", str(recordio / "train.rec"), "--out", str(recordio / "t"),
              "--exclude", str(recordio / "names.txt")])  # fmt: skip
    assert stop.value.code == 2 and not (recordio / "t").exists()
    assert "names.txt: 'Abe_Lincoln' is not a class number" in capsys.readouterr().err
