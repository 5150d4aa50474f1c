"""The synthetic YouTube Faces generator: deterministic, in the official layout, read back by sphere.formats.ytf."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from sphere.formats.landmarks import read_landmarks
from sphere.formats.ytf import list_video_frames, read_labeled_faces, read_splits
from sphere.synthetic import Nuisance, sample_identities
from sphere.synthetic.ytf_videos import (
    VIDEO_FIXED,
    YTFSynthConfig,
    generate_ytf,
    video_nuisances,
)
from tests.synthetic.tiny import YTF, digest


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ytf")
    generate_ytf(YTFSynthConfig(**YTF), out, progress=False)
    return out


def test_same_bytes_for_any_number_of_workers(tiny, tmp_path):
    generate_ytf(YTFSynthConfig(**YTF), tmp_path, progress=False, workers=2)
    assert digest(tmp_path) == digest(tiny)


def test_refuses_to_overwrite_unless_asked(tiny):
    with pytest.raises(FileExistsError):
        generate_ytf(YTFSynthConfig(**YTF), tiny, progress=False)


def test_frames_boxes_and_landmarks_read_back_in_the_official_layout(tiny):
    db = tiny / "frame_images_DB"
    videos = list_video_frames(db)
    assert len(videos) == 8 * 2 and all(len(frames) == 3 for frames in videos.values())
    assert all(key.split("/")[1] in {"0", "1"} for key in videos)
    landmarks = read_landmarks(tiny / "ytf_landmarks.txt")
    frame_paths = {str(f.relative_to(db)) for frames in videos.values() for f in frames}
    assert set(landmarks) == frame_paths
    for person in {key.split("/")[0] for key in videos}:
        boxes = read_labeled_faces(db / f"{person}.labeled_faces.txt")
        for key, video_boxes in boxes.items():
            assert [b.path for b in video_boxes] == [str(f.relative_to(db)) for f in videos[key]]
            for box in video_boxes:  # the box holds the frame's eyes and mouth
                x1, y1, x2, y2 = box.corners
                points = landmarks[box.path]
                assert (points[:, 0] > x1 - 3).all() and (points[:, 0] < x2 + 3).all()
                assert (points[:, 1] > y1 - 3).all() and (points[:, 1] < y2 + 3).all()


def test_splits_are_identity_disjoint_half_same_and_name_existing_videos(tiny):
    pairs = read_splits(tiny / "splits.txt")
    videos = set(list_video_frames(tiny / "frame_images_DB"))
    assert len(pairs) == 2 * 4 and sorted({p.split for p in pairs}) == [1, 2]
    people = {}
    for p in pairs:
        assert {p.video1, p.video2} <= videos and p.video1 != p.video2
        name1, name2 = p.video1.split("/")[0], p.video2.split("/")[0]
        assert p.same == (name1 == name2)
        people.setdefault(p.split, set()).update({name1, name2})
    assert sum(p.same for p in pairs) == 4
    assert not people[1] & people[2]


def test_nuisance_moves_smoothly_within_a_video_and_the_scene_stays():
    cfg = YTFSynthConfig(**{**YTF, "frames_per_video": 7, "key_nuisances": (2, 2)})
    frames = video_nuisances(cfg, 0, 0)
    moving = [f.name for f in fields(Nuisance) if f.name not in (*VIDEO_FIXED, "occ_kind", "noise_seed")]
    for name in moving:  # two keys: every continuous field moves in equal steps
        steps = np.diff([getattr(f, name) for f in frames])
        assert np.allclose(steps, steps[0], atol=1e-9), name
    assert np.ptp([f.yaw for f in frames]) > 0
    for name in VIDEO_FIXED:
        assert len({getattr(f, name) for f in frames}) == 1, name
    assert len({f.noise_seed for f in frames}) == 7
    assert video_nuisances(cfg, 0, 1)[0].bg_seed != frames[0].bg_seed


def test_identities_are_new_draws_not_the_training_identities():
    from sphere.synthetic.ytf_videos import _TAG

    ytf, _ = sample_identities(np.random.default_rng([0, _TAG, 0]), 8)
    train, _ = sample_identities(np.random.default_rng([0, 0]), 8)  # dataset.py's training stream
    distances = np.linalg.norm(
        np.stack([a.latent() for a in ytf])[:, None] - np.stack([b.latent() for b in train])[None], axis=2
    )
    assert distances.min() > 1.0


def test_bad_config_is_named():
    with pytest.raises(ValueError, match="identities must be >= 2 \\* splits"):
        YTFSynthConfig(identities=5, splits=10)
    with pytest.raises(ValueError, match="pairs_per_split"):
        YTFSynthConfig(pairs_per_split=3)
