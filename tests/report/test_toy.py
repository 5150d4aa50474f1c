import numpy as np

from sphere.report.toy import pair_angles, toy_angles


def test_pair_angles_by_hand():
    features = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, -1.0]])
    labels = np.array([0, 0, 1])
    angles, same = pair_angles(features, labels)
    assert np.allclose(angles, [90, 90, 90]) and same.tolist() == [True, False, False]


def test_tighter_classes_have_smaller_intra_angles():
    rng = np.random.default_rng(0)
    centres = np.eye(3)[[0, 1, 2]]
    labels = np.repeat(np.arange(3), 10)
    loose = centres[labels] + rng.normal(0, 0.3, (30, 3))
    tight = centres[labels] + rng.normal(0, 0.05, (30, 3))
    table = toy_angles({"loose": loose, "tight": tight}, labels, {"loose": 1, "tight": 4}).set_index("method")
    assert table.at["tight", "max_intra_deg"] < table.at["loose", "max_intra_deg"]
    assert table.at["tight", "min_inter_deg"] > table.at["loose", "min_inter_deg"]
    assert table.at["tight", "angular_fisher_score"] < table.at["loose", "angular_fisher_score"]
