import numpy as np

from sphere.errors import InputError
from sphere.formats.lfw import Pair
from sphere.protocols.lfw import evaluate_lfw


def unit(deg: float) -> np.ndarray:
    return np.array([np.cos(np.radians(deg)), np.sin(np.radians(deg))])


def test_ten_folds_known_answer():
    # Each fold holds pairs and their negations, so every fold's mean feature is zero and the
    # mean subtraction changes nothing: scores are the plain cosines of the constructed angles.
    features, paths, pairs = [], [], []

    def add(fold, a, b, same):
        for sign in (1, -1):
            for vec in (a, b):
                paths.append(f"p{len(paths)}")
                features.append(sign * vec)
            pairs.append(Pair(fold, paths[-2], paths[-1], same))

    for fold in range(10):
        for k in range(4):
            base = 37.0 * k + 5 * fold
            add(fold, unit(base), unit(base + (120 if fold == 6 and k == 0 else 20)), True)
            add(fold, unit(base), unit(base + 100), False)
    result = evaluate_lfw(pairs, np.array(features), paths)
    expected = [100.0] * 10
    expected[6] = 100 * 14 / 16  # the 120-degree positive pair and its mirror fall below any threshold
    assert np.allclose(result["fold_accuracy"], expected)
    assert np.isclose(result["accuracy"], np.mean(expected))
    assert all(np.cos(np.radians(100)) <= t < np.cos(np.radians(20)) for t in result["thresholds"])
    angles = result["pairs"]["angle_deg"].to_numpy()
    assert np.isclose(angles.max(), 120) and np.isclose(angles[~result["pairs"]["same"].to_numpy()].min(), 100)


def test_missing_image_is_named():
    import pytest

    with pytest.raises(InputError, match="b.jpg"):
        evaluate_lfw([Pair(0, "a.jpg", "b.jpg", True)], np.ones((1, 2)), ["a.jpg"])


def test_per_pair_verdicts_reproduce_the_fold_accuracies():
    rng = np.random.default_rng(0)
    paths = [f"p{i}" for i in range(80)]
    features = rng.normal(size=(80, 4))
    pairs = [Pair(i // 8, paths[2 * i], paths[2 * i + 1], i % 2 == 0) for i in range(40)]
    result = evaluate_lfw(pairs, features, paths)
    frame = result["pairs"]
    by_fold = frame.groupby("fold")["correct"].mean().to_numpy() * 100
    assert np.allclose(by_fold, result["fold_accuracy"])
    # re-derived with the released rule from the held-out scores and the fold thresholds
    t = np.array(result["thresholds"])[frame["fold"].to_numpy()]
    same, score = frame["same"].to_numpy(), frame["fold_score"].to_numpy()
    expected = [(s and x > u) or (not s and x < u) for s, x, u in zip(same, score, t)]
    assert (frame["correct"].to_numpy() == expected).all()
