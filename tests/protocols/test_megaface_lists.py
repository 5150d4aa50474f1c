"""MegaFace from devkit lists on constructed features with known rank-1 and TAR."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sphere.errors import InputError
from sphere.protocols.megaface_lists import (
    evaluate_megaface_lists,
    list_sizes,
    thin_roc,
)


def unit(*v: float) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


# Identity A: two probes 0.995 apart (cosine); identity B: 0.894. `near_b` scores 0.98 and 0.965 with B's
# probes, above their mate, so with it in the gallery B's two queries fall to rank 2 and it is the top impostor.
PROBES = {
    "A/A_1.jpg": unit(1, 0, 0),
    "A/A_2.jpg": unit(1, 0.1, 0),
    "B/B_1.jpg": unit(0, 0, 1),
    "B/B_2.jpg": unit(0, 0.5, 1),
}
DISTRACTORS = {"F/far_a.jpg": unit(-1, 0, 0), "F/far_b.jpg": unit(0, 0, -1), "F/near_b.jpg": unit(0, 0.2, 1)}


@pytest.fixture
def devkit(tmp_path):
    lists = tmp_path / "templatelists"
    lists.mkdir()
    (lists / "facescrub_features_list.json").write_text(
        json.dumps({"path": list(PROBES), "id": [p.split("/")[0] for p in PROBES]})
    )
    order = ["F/far_a.jpg", "F/far_b.jpg", "F/near_b.jpg"]
    for size in (2, 3):
        (lists / f"megaface_features_list.json_{size}_1").write_text(json.dumps({"path": order[:size]}))
    # stores hold the images in another order than the lists
    probe_paths, distractor_paths = sorted(PROBES, reverse=True), sorted(DISTRACTORS, reverse=True)
    return {
        "probe_features": np.stack([PROBES[p] for p in probe_paths]),
        "probe_paths": probe_paths,
        "distractor_features": np.stack([DISTRACTORS[p] for p in distractor_paths]),
        "distractor_paths": distractor_paths,
        "probe_list": lists / "facescrub_features_list.json",
        "list_dir": lists,
        "sizes": list_sizes(lists),
        "device": "cpu",
    }


def summary(result: dict) -> list[tuple]:
    return [
        (
            r["list_size"],
            r["distractors"],
            r["identification"]["rank1"],
            r["verification"]["tar_at_far"][0]["tar"],
            r["verification"]["tar_at_far"][0]["resolved"],
        )
        for r in result["results"]
    ]


def test_known_rank1_and_tar_per_ladder_size(devkit):
    result = evaluate_megaface_lists(**devkit)
    assert result["nested_lists"] and result["n_probe_identities"] == 2
    # size 2: every mate beats every distractor and every impostor scores 0, so all genuine pairs pass;
    # size 3: B's queries fall to rank 2 and the top impostor (0.98) rejects B's genuine pair (0.894).
    assert summary(result) == [(2, 2, 1.0, 1.0, False), (3, 3, 0.5, 0.5, False)]
    cmc = result["results"][1]["identification"]["cmc"]
    assert len(cmc) == 10 and cmc[:2] == [0.5, 1.0]
    assert result["results"][1]["verification"]["tar_at_far"][0]["far_achieved"] == 0.0


def test_noise_list_is_removed_and_recorded(devkit, tmp_path):
    (tmp_path / "noise.txt").write_text("# known noise\nF/near_b.jpg\n")
    result = evaluate_megaface_lists(**devkit, noise_list=tmp_path / "noise.txt")
    assert [r["noise_removed"] for r in result["results"]] == [0, 1]
    assert result["noise_list"].endswith("noise.txt")
    # both lists are now the same two distractors: scored one by one, both perfect
    assert not result["nested_lists"]
    assert summary(result) == [(2, 2, 1.0, 1.0, False), (3, 2, 1.0, 1.0, False)]


def test_images_missing_from_the_store_are_named(devkit):
    devkit["distractor_paths"] = devkit["distractor_paths"][:2]
    devkit["distractor_features"] = devkit["distractor_features"][:2]
    with pytest.raises(InputError, match=r"distractor list\): 1 images are not in the store"):
        evaluate_megaface_lists(**devkit)


def test_list_sizes_needs_a_list(tmp_path):
    with pytest.raises(FileNotFoundError, match="megaface_features_list"):
        list_sizes(tmp_path)


def test_thin_roc_keeps_only_the_points_where_the_curve_moves():
    roc = {"threshold": [-1.0, -0.5, 0.0, 0.5], "far": [1.0, 1.0, 0.5, 0.0], "tar": [1.0, 1.0, 1.0, 0.5]}
    assert thin_roc(roc) == {"threshold": [-1.0, 0.0, 0.5], "far": [1.0, 0.5, 0.0], "tar": [1.0, 1.0, 0.5]}
