"""MegaFace through `sphere evaluate`: an embeddings file covering probes and distractors."""

import json

import numpy as np
import pytest

from sphere.errors import InputError
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import write_embeddings


def unit(*v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


def test_known_rank1_from_an_embeddings_file(tmp_path):
    # A's probes agree (0.995), B's less (0.894); near_b beats B's mate, so with 3 distractors B falls to rank 2
    feats = {
        "A/A_1.jpg": unit(1, 0, 0),
        "A/A_2.jpg": unit(1, 0.1, 0),
        "B/B_1.jpg": unit(0, 0, 1),
        "B/B_2.jpg": unit(0, 0.5, 1),
        "F/far_a.jpg": unit(-1, 0, 0),
        "F/far_b.jpg": unit(0, 0, -1),
        "F/near_b.jpg": unit(0, 0.2, 1),
    }
    lists = tmp_path / "lists"
    lists.mkdir()
    probes = [k for k in feats if not k.startswith("F/")]
    (lists / "facescrub_features_list.json").write_text(json.dumps({"path": probes, "id": [p[0] for p in probes]}))
    for size in (2, 3):
        (lists / f"megaface_features_list.json_{size}_1").write_text(
            json.dumps({"path": ["F/far_a.jpg", "F/far_b.jpg", "F/near_b.jpg"][:size]})
        )
    names = sorted(feats, reverse=True)
    write_embeddings(tmp_path / "e.npz", np.stack([feats[n] for n in names]), names)
    result = evaluate(
        "megaface",
        Source(embeddings=tmp_path / "e.npz"),
        tmp_path / "o",
        probe_list=lists / "facescrub_features_list.json",
        lists=lists,
    )
    assert [r["identification"]["rank1"] for r in result["results"]] == [1.0, 0.5]
    write_embeddings(tmp_path / "short.npz", np.stack([feats[n] for n in names[1:]]), names[1:])
    with pytest.raises(InputError, match=r"distractor list\): 1 images are not in"):
        evaluate(
            "megaface",
            Source(embeddings=tmp_path / "short.npz"),
            tmp_path / "o",
            probe_list=lists / "facescrub_features_list.json",
            lists=lists,
        )
