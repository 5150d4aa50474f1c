"""Tiny ytf and megaface sets generated through the CLI (`synth-ytf`, `synth-megaface`) and aligned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sphere.align.store_builder import align_with_landmarks
from sphere.cli import main
from sphere.store.io import read_store
from tests.synthetic.tiny import YTF


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """A config with tiny ytf and megaface sections, generated through the CLI and aligned."""
    root = tmp_path_factory.mktemp("cli")
    config = {"run": "cli", "methods": {"softmax": {"loss": "softmax"}}, "tables": {}}
    config["ytf"] = {
        "frame_cap": 2,
        "frame_selection": "first",
        "synthetic": YTF,
    }
    config["megaface"] = {
        "sizes": [4, 12],
        "synthetic": {"probe_identities": 3, "probe_images_per_identity": 2, "raw_size": 48},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    main(["synth-ytf", "--config", str(root / "config.yaml"), "--out", str(root / "ytf")])
    main(["synth-megaface", "--config", str(root / "config.yaml"), "--out", str(root / "mf")])
    for store, raw, landmarks in (
        ("ytf", "ytf/frame_images_DB", "ytf/ytf_landmarks.txt"),
        ("probe", "mf/facescrub", "mf/probe_landmarks.txt"),
        ("distractor", "mf/megaface", "mf/distractor_landmarks.txt"),
    ):
        align_with_landmarks(root / raw, root / landmarks, root / "stores" / store, (28, 24), progress=False)
        n = len(read_store(root / "stores" / store).index)
        np.save(root / f"{store}.npy", np.random.default_rng(0).normal(size=(n, 8)).astype(np.float32))
    return root
