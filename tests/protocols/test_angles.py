import numpy as np

from sphere.protocols.angles import angle_stats, angular_fisher_score


def test_angle_stats_extremes():
    angles = np.array([10.0, 20, 30, 80, 90, 100])
    same = np.array([True, True, True, False, False, False])
    stats = angle_stats(angles, same)
    assert stats["max_intra_deg"] == 30 and stats["min_inter_deg"] == 80
    assert 20 < stats["intra_p99_deg"] <= 30 and 80 <= stats["inter_p01_deg"] < 90


def test_angular_fisher_score_by_hand():
    # Two classes on the unit circle at +-45 degrees around the x axis, each with members at +-10 degrees.
    def at(deg):
        return [np.cos(np.radians(deg)), np.sin(np.radians(deg))]

    features = np.array([at(35), at(55), at(-35), at(-55)])
    labels = np.array([0, 0, 1, 1])
    within = 4 * (1 - np.cos(np.radians(10)))
    between = 2 * 2 * (1 - np.cos(np.radians(45)))
    assert np.isclose(angular_fisher_score(features, labels), within / between)
    tighter = np.array([at(40), at(50), at(-40), at(-50)])
    assert angular_fisher_score(tighter, labels) < angular_fisher_score(features, labels)
