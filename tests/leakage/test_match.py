import numpy as np
import pytest

from sphere.leakage.match import (
    Centroids,
    centroids,
    find_leaks,
    impostor_scores,
    is_numbered,
    name_matches,
    split_half_scores,
    threshold_at,
)

DIM = 64


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def identity_directions(rng: np.random.Generator, n: int, family: int = 4) -> np.ndarray:
    """Unit identity directions in families sharing a parent (relatives lie closer: cosine ~0.36)."""
    parents = rng.normal(size=(-(-n // family), DIM))
    own = rng.normal(size=(n, DIM))
    return unit(0.6 * unit(parents).repeat(family, 0)[:n] + 0.8 * unit(own))


def images(rng, directions: np.ndarray, counts: np.ndarray, names: list[str], noise: float = 0.14):
    """Image features: the identity's direction plus isotropic noise (per-image cosine to it ~0.6)."""
    rows = np.concatenate([d + rng.normal(0, noise, (k, DIM)) for d, k in zip(directions, counts)])
    ids = [n for n, k in zip(names, counts) for _ in range(k)]
    paths = [f"{n}/{i:04d}.jpg" for n, k in zip(names, counts) for i in range(k)]
    return rows, ids, paths


def planted_run(seed: int, train_n: int = 400, test_n: int = 300, shared: int = 30):
    """A CASIA-like training set (15 images each) and an LFW-like test set (2-6 images each) whose first
    `shared` identities are training identities 100.. (the same direction, new images)."""
    rng = np.random.default_rng(seed)
    train_dirs, test_dirs = identity_directions(rng, train_n), identity_directions(rng, test_n)
    test_dirs[:shared] = train_dirs[100 : 100 + shared]
    train_names = [f"{i:07d}" for i in range(train_n)]
    test_names = [f"Person_{i:04d}" for i in range(test_n)]
    train = centroids(*images(rng, train_dirs, np.full(train_n, 15), train_names))
    test = centroids(*images(rng, test_dirs, rng.integers(2, 7, test_n), test_names))
    truth = {(train_names[100 + i], test_names[i]) for i in range(shared)}
    return train, test, truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_shared_identities_are_found(seed):
    train, test, truth = planted_run(seed)
    leaks = find_leaks(train, test)
    found = set(zip(leaks.candidates["train_identity"], leaks.candidates["test_identity"]))
    recall = len(found & truth) / len(truth)
    false = len(found - truth)
    assert recall >= 0.9, recall
    assert false <= len(test.names) / 100, false  # at most one false candidate per 100 test identities
    assert not leaks.by_name and set(leaks.candidates["match"]) <= {"embedding"}
    hits = leaks.candidates[leaks.candidates.apply(lambda r: (r.train_identity, r.test_identity) in truth, axis=1)]
    assert (hits["rank"] == 1).all() and (hits["score"] > leaks.threshold).all()
    assert (hits["train_images"] == 15).all() and hits["test_paths"].str.count(";").le(2).all()


def test_the_threshold_passes_about_fmr_of_the_impostors():
    rng = np.random.default_rng(3)
    impostors = rng.normal(0, 0.1, 100_000)
    for fmr in (1e-2, 1e-3, 1e-4):
        t = threshold_at(impostors, fmr)
        assert np.mean(impostors > t) <= fmr and np.mean(impostors >= t) >= fmr
    assert threshold_at(impostors, 1e-9) == impostors.max()  # below resolution: nothing above it


def test_impostor_scores_are_every_distinct_pair_once(monkeypatch):
    rng = np.random.default_rng(4)
    v = unit(rng.normal(size=(7, 5)))
    test = Centroids([str(i) for i in range(7)], v, np.ones(7, int), [[]] * 7)
    gram = v @ v.T
    expected = np.sort([gram[i, j] for i in range(7) for j in range(i + 1, 7)])
    monkeypatch.setattr("sphere.leakage.match.BLOCK", 3)  # several blocks, as for a large test set
    assert np.allclose(np.sort(impostor_scores(test)), expected, atol=1e-6)


def test_centroids_average_unit_features_per_identity():
    x = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, -2.0], [0.0, 5.0]])
    c = centroids(x, ["a", "a", "b", "b"], ["a/1", "a/2", "b/1", "b/2"])
    assert c.names == ["a", "b"] and list(c.counts) == [2, 2]
    assert np.allclose(c.vectors[0], [2**-0.5, 2**-0.5])  # mean of (1, 0) and (0, 1), renormalised
    assert np.allclose(c.vectors[1], [0.0, 0.0])  # opposite unit features cancel: no direction
    assert c.paths[0] == ["a/1", "a/2"]


def test_names_match_across_spellings_and_not_for_numbered_sets():
    assert name_matches(["Aaron_Eckhart", "Zoe Doe"], ["aaron eckhart", "Bob_Smith"]) == [
        ("Aaron_Eckhart", "aaron eckhart")
    ]
    assert is_numbered(["0000045", "n000002", "07201"]) and not is_numbered(["Aaron_Eckhart", "0000045"])
    assert name_matches(["0000001", "0000002"], ["0000001"]) == []  # set-local numbers say nothing


def test_a_shared_name_is_reported_even_below_the_threshold():
    rng = np.random.default_rng(5)
    train_dirs, test_dirs = identity_directions(rng, 50), identity_directions(rng, 40)
    train_names = [f"Train_Person_{i}" for i in range(50)]
    test_names = [f"Test_Person_{i}" for i in range(40)]
    test_names[7] = "train person 3"  # the same name, a different face (a namesake or a bad label)
    train = centroids(*images(rng, train_dirs, np.full(50, 10), train_names))
    test = centroids(*images(rng, test_dirs, np.full(40, 4), test_names))
    leaks = find_leaks(train, test)
    row = leaks.candidates.set_index("test_identity").loc["train person 3"]
    assert leaks.by_name and row["train_identity"] == "Train_Person_3" and row["match"] == "name"
    assert row["score"] <= leaks.threshold


def test_split_half_scores_pair_the_odd_and_even_images_of_each_identity():
    rng = np.random.default_rng(6)
    features = rng.normal(size=(9, 4))
    ids = ["a", "b", "a", "c", "a", "b", "b", "a", "b"]  # a: rows 0 2 4 7, b: 1 5 6 8, c: one image (left out)
    expected = []
    for rows in ([0, 2, 4, 7], [1, 5, 6, 8]):
        x = unit(features[rows])
        first, second = unit(x[0::2].sum(0)), unit(x[1::2].sum(0))
        expected.append(first @ second)
    assert np.allclose(split_half_scores(features, ids), expected)
