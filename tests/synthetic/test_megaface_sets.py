"""The synthetic MegaFace generator: deterministic, devkit-format lists read back by sphere.formats.megaface."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sphere.formats.landmarks import read_landmarks
from sphere.formats.megaface import read_distractor_list, read_probe_list
from sphere.protocols.megaface_lists import list_sizes
from sphere.synthetic.megaface_sets import (
    PROBE_LIST,
    MegaFaceSynthConfig,
    distractor_counts,
    distractor_list_name,
    generate_megaface,
)
from tests.synthetic.tiny import digest

TINY = {
    "probe_identities": 3,
    "probe_images_per_identity": 2,
    "sizes": (20, 5),
    "distractor_images_per_identity": 3,
    "raw_size": 48,
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("megaface")
    generate_megaface(MegaFaceSynthConfig(**TINY), out, progress=False)
    return out


def test_same_bytes_for_any_number_of_workers(tiny, tmp_path):
    generate_megaface(MegaFaceSynthConfig(**TINY), tmp_path, progress=False, workers=2)
    assert digest(tmp_path) == digest(tiny)


def test_probe_list_names_the_photos_and_their_landmarks(tiny):
    paths, ids = read_probe_list(tiny / "templatelists" / PROBE_LIST)
    assert len(paths) == 6 and len(set(ids)) == 3 and all(ids.count(i) == 2 for i in ids)
    assert all(p.split("/")[0] == i for p, i in zip(paths, ids))
    assert set(read_landmarks(tiny / "probe_landmarks.txt")) == set(paths)
    assert all((tiny / "facescrub" / p).stat().st_size > 0 for p in paths)


def test_distractor_lists_are_nested_and_cover_the_distractors(tiny):
    lists = tiny / "templatelists"
    assert list_sizes(lists) == [5, 20]
    small, large = (read_distractor_list(lists / distractor_list_name(s)) for s in (5, 20))
    assert len(large) == len(set(large)) == 20 and small == large[:5]
    assert set(read_landmarks(tiny / "distractor_landmarks.txt")) == set(large)
    assert all((tiny / "megaface" / p).is_file() for p in large)
    probes, _ = read_probe_list(lists / PROBE_LIST)
    assert not set(probes) & set(large)


def test_distractor_counts_sum_to_the_total_within_bounds():
    counts = distractor_counts(np.random.default_rng(0), 1000, 2)
    assert sum(counts) == 1000 and set(counts) <= {1, 2} and len(counts) < 1000
    assert distractor_counts(np.random.default_rng(0), 7, 1) == [1] * 7


def test_bad_config_is_named():
    with pytest.raises(ValueError, match="probe_images_per_identity"):
        MegaFaceSynthConfig(probe_images_per_identity=1)
    with pytest.raises(ValueError, match="sizes"):
        MegaFaceSynthConfig(sizes=(0, 10))
