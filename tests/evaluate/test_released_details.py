"""The released rule's per-pair record (sphere.evaluate.verify.released_details): what the DAG keeps beside
the LFW accuracy for the claims table's McNemar test, re-derived from the rule's definition."""

import numpy as np

from sphere.evaluate.verify import released_details
from sphere.protocols.rules import score_rule


def unit(deg: float) -> np.ndarray:
    return np.array([np.cos(np.radians(deg)), np.sin(np.radians(deg))])


def test_ten_folds_known_answer():
    # Each fold holds pairs and their negations, so every fold's mean feature is zero and the mean
    # subtraction changes nothing: scores are the plain cosines of the constructed angles.
    first, second, same, folds = [], [], [], []
    for fold in range(10):
        for k in range(4):
            base = 37.0 * k + 5 * fold
            for gap, is_same in ((120 if fold == 6 and k == 0 else 20, True), (100, False)):
                for sign in (1, -1):
                    first.append(sign * unit(base))
                    second.append(sign * unit(base + gap))
                    same.append(is_same)
                    folds.append(fold)
    a, b, same, folds = np.array(first), np.array(second), np.array(same), np.array(folds)
    result = score_rule("released", a, b, same, folds)
    expected = [100.0] * 10
    expected[6] = 100 * 14 / 16  # the 120-degree positive pair and its mirror fall below any threshold
    assert np.allclose(result["fold_accuracy"], expected)
    assert np.isclose(result["accuracy"], np.mean(expected))
    assert all(np.cos(np.radians(100)) <= t < np.cos(np.radians(20)) for t in result["thresholds"])
    roc, frame = released_details(a, b, same, folds, subtract_mean=True)
    angles = frame["angle_deg"].to_numpy()
    assert np.isclose(angles.max(), 120) and np.isclose(angles[~frame["same"].to_numpy()].min(), 100)
    # pooled scores: 78 positives at cos 20 deg, 2 at cos 120 deg, 80 negatives at cos 100 deg
    assert np.isclose(roc["auc"], 1 - (2 * 80) / (80 * 80)) and roc["far"] == 1e-3 and np.isclose(roc["tar"], 78 / 80)


def test_per_pair_verdicts_reproduce_the_fold_accuracies():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(40, 4)), rng.normal(size=(40, 4))
    same, folds = np.arange(40) % 2 == 0, np.arange(40) // 8
    result = score_rule("released", a, b, same, folds)
    _, frame = released_details(a, b, same, folds, subtract_mean=True)
    by_fold = frame.groupby("fold")["correct"].mean().to_numpy() * 100
    assert np.allclose(by_fold, result["fold_accuracy"])
    # re-derived with the released rule from the held-out scores and the fold thresholds
    t = np.array(result["thresholds"])[frame["fold"].to_numpy()]
    score = frame["fold_score"].to_numpy()
    expected = [(s and x > u) or (not s and x < u) for s, x, u in zip(same, score, t)]
    assert (frame["correct"].to_numpy() == expected).all()


def test_video_rule_without_mean_subtraction_hand_computed():
    # YTF: 10 splits of 10 pairs (5 same at cosine 0.9, 5 different at 0.1): every threshold chosen on 9
    # splits lies in [0.1, 0.9). In split 1 one same pair scores -0.5 and is rejected: split 1 has
    # accuracy 90 %, the others 100 %; mean 99, std sqrt((9 * 1^2 + 9^2) / 10) = 3.
    cosines = np.tile(np.r_[np.full(5, 0.9), np.full(5, 0.1)], 10)
    cosines[0] = -0.5
    same, folds = np.tile(np.r_[np.ones(5, bool), np.zeros(5, bool)], 10), np.repeat(np.arange(1, 11), 10)
    a = np.tile([1.0, 0.0], (100, 1))
    b = np.stack([cosines, np.sqrt(1 - cosines**2)], 1)
    result = score_rule("released", a, b, same, folds, subtract_mean=False)
    assert np.allclose(result["fold_accuracy"], [90] + [100] * 9)
    assert np.isclose(result["accuracy"], 99) and np.isclose(result["std"], 3)
    roc, _ = released_details(a, b, same, folds, subtract_mean=False)
    assert np.isclose(roc["auc"], 1 - 50 / (50 * 50))  # the -0.5 same pair ranks below all 50 different pairs


def test_evaluate_runs_the_released_folds_once(lfw, tmp_path, monkeypatch):
    """score_verification takes the per-pair record from the released rule's own folds: the fallback in
    released_details (its own run of the folds) is not called, and the CSV matches a standalone call."""
    import pandas as pd

    import sphere.evaluate.verify as verify
    from sphere.evaluate.run import evaluate
    from sphere.evaluate.sources import Source

    pairs, emb, *_ = lfw
    standalone = verify.released_folds

    def refuse(*args, **kwargs):
        raise AssertionError("released_details ran the folds a second time")

    monkeypatch.setattr(verify, "released_folds", refuse)
    result = evaluate("lfw", Source(embeddings=emb), tmp_path, pairs=pairs, pair_scores=tmp_path / "pairs.csv")
    assert "held_out_scores" not in result and "roc" in result
    frame = pd.read_csv(tmp_path / "pairs.csv")
    monkeypatch.setattr(verify, "released_folds", standalone)
    _, thresholds, held_out = standalone(*_pair_features(lfw), frame["same"].to_numpy(), frame["fold"].to_numpy())
    assert np.allclose(frame["fold_score"], held_out) and result["thresholds"] == thresholds


def _pair_features(lfw) -> tuple[np.ndarray, np.ndarray]:
    """[face; flip] of each pair's two images, joined by name (the released rule's default combination)."""
    from sphere.formats.lfw import read_pairs

    pairs, _, paths, face, flip = lfw
    row = {p: i for i, p in enumerate(paths)}
    listed = read_pairs(pairs)
    first, second = [row[p.path1] for p in listed], [row[p.path2] for p in listed]
    both = np.concatenate([face, flip], 1).astype(np.float32).astype(np.float64)  # as the .npz holds them
    return both[first], both[second]
