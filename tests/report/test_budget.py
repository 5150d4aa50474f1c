import numpy as np

from sphere.report.budget import plateau


def test_plateau_is_the_first_budget_the_next_one_barely_improves():
    steps = np.array([4000, 500, 1000, 2000])  # unordered on purpose
    acc = np.array([84.1, 78.0, 81.0, 83.9])
    std = np.full(4, 1.6)  # std / sqrt(10) = 0.51 > 0.5: the gain needed
    # 500 -> 1000: +3.0; 1000 -> 2000: +2.9; 2000 -> 4000: +0.2 < 0.51: the plateau starts at 2000
    assert plateau(steps, acc, std) == 2000


def test_no_plateau_while_every_budget_still_gains():
    assert plateau(np.array([500, 1000, 2000]), np.array([70.0, 75.0, 80.0]), np.ones(3)) is None
