import numpy as np
import pytest

from sphere.protocols.ytf import (
    aggregation_record,
    select_frames,
    video_feature,
    video_features,
)


def test_select_frames():
    assert select_frames(5, cap=100).tolist() == [0, 1, 2, 3, 4]
    assert select_frames(10, cap=3, selection="first").tolist() == [0, 1, 2]
    assert select_frames(10, cap=4, selection="even").tolist() == [0, 3, 6, 9]
    assert len(select_frames(6070, cap=100)) == 100  # the longest YTF video
    with pytest.raises(ValueError, match="unknown frame selection"):
        select_frames(10, selection="random")


def test_video_feature_normalises_frames_before_averaging():
    # frames (2, 0) and (0, 1): normalised (1, 0) and (0, 1), mean (.5, .5), re-normalised (1, 1)/sqrt(2);
    # averaging the raw frames would give (2, 1)/sqrt(5) instead
    v = video_feature(np.array([[2.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(v, [2**-0.5, 2**-0.5], rtol=1e-6)
    # cap 2 of 3 evenly spaced frames keeps the first and the last
    v = video_feature(np.array([[1.0, 0.0], [5.0, 5.0], [0.0, 3.0]]), cap=2)
    np.testing.assert_allclose(v, [2**-0.5, 2**-0.5], rtol=1e-6)


def test_video_features_groups_store_rows_by_video_in_frame_order():
    paths = ["A/0/0.10.jpg", "B/1/1.3.jpg", "A/0/0.9.jpg", "A/0/0.100.jpg"]
    feats = np.array([[0, 1], [1, 0], [1, 0], [3, 3]], np.float32)
    # cap 1 keeps the first frame in time order, which is frame 9 (row 2), not frame 10 (row 0)
    out = video_features(feats, paths, cap=1, selection="first")
    assert sorted(out) == ["A/0", "B/1"]
    np.testing.assert_allclose(out["A/0"], [1, 0])
    assert aggregation_record(1, "first")["frame_selection"] == "first frames"
