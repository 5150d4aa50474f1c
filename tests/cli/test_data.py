"""`sphere synth-ytf | synth-megaface` (sphere/cli/data.py) on the tiny sets of conftest.generated."""

from __future__ import annotations

import json


def test_synth_verbs_follow_the_config_sections(generated):
    manifest = json.loads((generated / "ytf" / "manifest.json").read_text())
    assert manifest["counts"] == {"identities": 8, "videos": 16, "frames": 48, "splits": 2, "pairs": 8}
    lists = sorted(p.name for p in (generated / "mf" / "templatelists").iterdir())
    assert lists == [
        "facescrub_features_list.json",
        "megaface_features_list.json_12_1",
        "megaface_features_list.json_4_1",
    ]
