import numpy as np

from sphere.protocols.verification import (
    accuracy_at,
    best_threshold,
    released_folds,
    roc_auc,
    tar_at_far,
)


def brute_accuracy(scores, same, t):
    """evaluation.m's getAccuracy as a plain loop: same right iff score > t, different iff score < t."""
    right = sum((s > t) if y else (s < t) for s, y in zip(scores, same))
    return right / len(scores)


def brute_threshold(scores, same):
    """evaluation.m's getThreshold as a plain loop over (-10000:10000)/10000: mean of every best."""
    grid = [k / 10000 for k in range(-10000, 10001)]
    accuracies = [brute_accuracy(scores, same, t) for t in grid]
    best = max(accuracies)
    return float(np.mean([t for t, a in zip(grid, accuracies) if a == best]))


def test_accuracy_at_matches_brute_force():
    rng = np.random.default_rng(1)
    scores, same = rng.uniform(-1, 1, 200).round(3), rng.random(200) < 0.5
    thresholds = np.linspace(-1, 1, 41)  # many scores sit exactly on a threshold: ties count wrong both ways
    assert np.allclose(accuracy_at(scores, same, thresholds), [brute_accuracy(scores, same, t) for t in thresholds])


def test_best_threshold_is_the_mean_of_every_best_grid_point():
    rng = np.random.default_rng(2)
    for trial in range(3):
        same = rng.random(120) < 0.5
        scores = np.where(same, rng.normal(0.5, 0.2, 120), rng.normal(0.1, 0.2, 120)).clip(-1, 1)
        if trial == 2:
            scores = scores.round(2)  # scores on grid points, where the strict rule matters
        assert abs(best_threshold(scores, same) - brute_threshold(scores, same)) < 1e-12


def test_score_equal_to_threshold_is_wrong_for_both_kinds():
    same = np.array([True, False])
    assert accuracy_at(np.array([0.3, 0.3]), same, np.array([0.3]))[0] == 0.0


def test_threshold_comes_from_the_other_folds():
    # Fold 0 alone would be separable at 0.75, but the other folds put the threshold at 0.5.
    folds = np.array([0, 0, 1, 1, 2, 2])
    same = np.array([True, False, True, False, True, False])
    scores = np.array([0.9, 0.7, 0.6, 0.4, 0.6, 0.4])
    # every grid point strictly between 0.4 and 0.6 reaches 100 %: their mean is 0.5
    assert abs(best_threshold(scores[2:], same[2:]) - 0.5) < 1e-12
    first = np.tile([1.0, 0.0], (6, 1))
    second = np.stack([scores, np.sqrt(1 - scores**2)], 1)  # cosine with `first` = the score
    accuracies, thresholds, _ = released_folds(first, second, same, folds, subtract_mean=False)
    assert accuracies[0] == 50.0 and abs(thresholds[0] - 0.5) < 1e-12


def test_roc_auc_and_tar_known_answers():
    same = np.array([True, True, False, False])
    assert roc_auc(np.array([0.9, 0.8, 0.1, 0.2]), same) == 1.0
    assert roc_auc(np.array([0.1, 0.2, 0.9, 0.8]), same) == 0.0
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), same) == 0.5
    # One impostor (0.85) outscores one genuine (0.8): at FAR 0 only the 0.9 genuine is accepted.
    scores = np.array([0.9, 0.8, 0.85, 0.1])
    assert tar_at_far(scores, same, 0.0) == 0.5
    assert tar_at_far(scores, same, 0.5) == 1.0
