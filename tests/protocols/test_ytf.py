import numpy as np
import pytest

from sphere.errors import InputError
from sphere.formats.ytf import VideoPair
from sphere.protocols.ytf import (
    aggregation_record,
    evaluate_ytf,
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


def _pairs_with_scores(scores_by_split):
    """Video pairs whose cosine is the given score: video a = (1, 0), video b = (c, sqrt(1 - c^2))."""
    feats, pairs = {}, []
    for split, scores in scores_by_split.items():
        for index, (score, same) in enumerate(scores, start=1):
            a, b = f"P{split}_{index}/0", f"Q{split}_{index}/1"
            feats[a] = np.array([1.0, 0.0])
            feats[b] = np.array([score, np.sqrt(1 - score**2)])
            pairs.append(VideoPair(split, index, a, b, same))
    return feats, pairs


def test_evaluate_ytf_hand_computed():
    # 10 splits of 10 pairs (5 same at cosine 0.9, 5 different at 0.1): every threshold chosen on 9
    # splits lies in [0.1, 0.9). In split 1 one same pair scores -0.5 and is rejected: split 1 has
    # accuracy 0.9, the others 1.0; mean 0.99, std sqrt((9 * 0.01^2 + 0.09^2) / 10) = 0.03.
    scores = {s: [(0.9, True)] * 5 + [(0.1, False)] * 5 for s in range(1, 11)}
    scores[1][0] = (-0.5, True)
    feats, pairs = _pairs_with_scores(scores)
    result = evaluate_ytf(feats, pairs)
    assert result["split_accuracy"] == pytest.approx([0.9] + [1.0] * 9)
    assert result["accuracy_mean"] == pytest.approx(0.99)
    assert result["accuracy_std"] == pytest.approx(0.03)
    # AUC: the -0.5 same pair ranks below all 50 different pairs: 1 - 50 / (50 * 50)
    assert result["auc"] == pytest.approx(1 - 1 / 50)
    assert (result["n_pairs"], result["n_same"], result["splits"]) == (100, 50, list(range(1, 11)))


def test_evaluate_ytf_missing_video():
    feats, pairs = _pairs_with_scores({1: [(0.9, True)], 2: [(0.1, False)]})
    del feats["P1_1/0"]
    with pytest.raises(InputError, match="P1_1/0"):
        evaluate_ytf(feats, pairs)
