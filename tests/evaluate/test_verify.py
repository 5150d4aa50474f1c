import json

import numpy as np
import pytest

from sphere.errors import InputError
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import write_embeddings
from sphere.formats.lfw import read_pairs
from sphere.protocols.rules import RULES, score_rule


def test_released_rule_on_an_embeddings_file_equals_the_lfw_protocol(lfw, tmp_path):
    pairs, emb, paths, face, flip = lfw
    result = evaluate("lfw", Source(embeddings=emb), tmp_path / "out", "released", pairs=pairs)
    # the rule on the pairs file's rows, joined by name by hand
    row = {p: i for i, p in enumerate(paths)}
    listed = read_pairs(pairs)
    first, second = [row[p.path1] for p in listed], [row[p.path2] for p in listed]
    same, folds = np.array([p.same for p in listed]), np.array([p.fold for p in listed])
    reference = score_rule("released", face[first], face[second], same, folds, flip[first], flip[second])
    assert result["accuracy"] == pytest.approx(reference["accuracy"])
    assert result["std"] == pytest.approx(reference["std"])
    written = json.loads((tmp_path / "out" / "lfw.json").read_text())
    assert written["pairs_scored"] == written["pairs_total"] == 60 and written["complete"] is True
    assert written["folds"] == 3 and written["standard"] is False  # LFW's standard file is 10 folds x 600
    assert written["rule"] == "released" and written["flip_given"] is True


def test_rule_all_writes_the_variant_table(lfw, tmp_path):
    import pandas as pd

    pairs, emb, *_ = lfw
    result = evaluate("lfw", Source(embeddings=emb), tmp_path, "all", pairs=pairs)
    table = pd.read_csv(tmp_path / "protocol_variants.csv")
    assert table["rule"].tolist() == list(RULES)
    released = result["rules"]["released"]["accuracy"]
    for row in table.itertuples():
        assert row.diff_vs_released == pytest.approx(result["rules"][row.rule]["accuracy"] - released, abs=1e-3)


def test_missing_embedding_names_the_pairs_line_and_count(lfw, tmp_path):
    pairs, _, paths, face, flip = lfw
    lines = pairs.read_text().splitlines()
    gone = lines[5].split("\t")  # a same-person line: name n1 n2
    gone_path = f"{gone[0]}/{gone[0]}_{int(gone[1]):04d}.jpg"
    keep = [i for i, p in enumerate(paths) if p != gone_path]
    write_embeddings(tmp_path / "part.npz", face[keep], [paths[i] for i in keep], flip[keep])
    expected_missing = sum(1 for p in read_pairs(pairs) if gone_path in (p.path1, p.path2))
    first_line = next(n for n, p in zip(range(2, 62), read_pairs(pairs)) if gone_path in (p.path1, p.path2))
    with pytest.raises(
        InputError,
        match=rf"pairs.txt:{first_line}: '{gone_path}' has no embedding .*"
        rf"{expected_missing} of 60 pairs lack",
    ):
        evaluate("lfw", Source(embeddings=tmp_path / "part.npz"), tmp_path / "o", pairs=pairs)
    result = evaluate("lfw", Source(embeddings=tmp_path / "part.npz"), tmp_path / "o", pairs=pairs, allow_missing=True)
    assert result["standard"] is False and result["pairs_scored"] == 60 - expected_missing


def test_names_from_another_benchmark_say_both_counts(lfw, tmp_path):
    pairs, *_ = lfw
    write_embeddings(tmp_path / "other.npz", np.ones((5, 3)), [f"x/{i}.jpg" for i in range(5)])
    used = len({p for pair in read_pairs(pairs) for p in (pair.path1, pair.path2)})
    with pytest.raises(InputError, match=rf"no pair has both .*needs {used} images, .*other.npz has 5 rows"):
        evaluate("lfw", Source(embeddings=tmp_path / "other.npz"), tmp_path / "o", pairs=pairs)


def test_a_single_fold_pairs_file_is_refused_for_kfold_rules(tmp_path):
    from tests.conftest import write_lfw

    pairs, emb, *_ = write_lfw(tmp_path, folds=1)
    for rule in ("released", "insightface", "facexzoo"):
        with pytest.raises(InputError, match="at least 2 folds"):
            evaluate("lfw", Source(embeddings=emb), tmp_path / "o", rule, pairs=pairs)
    assert evaluate("lfw", Source(embeddings=emb), tmp_path / "o", "opensphere", pairs=pairs)["accuracy"] > 0


def test_bin_set_rows_follow_the_file_and_counts_must_agree(tmp_path):
    from sphere.formats.bin_writer import write_verification_bin

    rng = np.random.default_rng(1)
    same = np.arange(20) % 2 == 0
    images = [rng.integers(0, 255, (8, 8, 3), dtype=np.uint8) for _ in range(40)]
    write_verification_bin(tmp_path / "cfp_fp.bin", images, same)
    centres = rng.normal(size=(20, 4))
    second = np.where(same[:, None], centres, rng.normal(size=(20, 4)))
    face = np.stack([centres, second], 1).reshape(40, 4) + rng.normal(scale=0.3, size=(40, 4))
    np.save(tmp_path / "e.npy", face)
    result = evaluate(
        "cfp_fp", Source(embeddings=tmp_path / "e.npy"), tmp_path / "o", "insightface", bin=tmp_path / "cfp_fp.bin"
    )
    # insightface on 20 pairs: 10 folds of 2 pairs in order; plain re-derivation
    emb = face / np.linalg.norm(face, axis=1, keepdims=True)
    dist = ((emb[0::2] - emb[1::2]) ** 2).sum(1)
    accs = []
    for k in range(10):
        test = [2 * k, 2 * k + 1]
        train = [i for i in range(20) if i not in test]
        grid = np.arange(0, 4, 0.01)
        t = grid[int(np.argmax([sum((dist[i] < t) == same[i] for i in train) for t in grid]))]
        accs.append(100 * sum((dist[i] < t) == same[i] for i in test) / 2)
    assert result["accuracy"] == pytest.approx(np.mean(accs))
    np.save(tmp_path / "short.npy", face[:39])
    with pytest.raises(InputError, match="has 39 rows but .*cfp_fp.bin holds 40 images"):
        evaluate("cfp_fp", Source(embeddings=tmp_path / "short.npy"), tmp_path / "o", bin=tmp_path / "cfp_fp.bin")


def test_ytf_released_rule_equals_the_ytf_protocol(tmp_path):
    from sphere.formats.ytf import read_splits
    from sphere.protocols.ytf import video_features

    rng = np.random.default_rng(7)
    videos = [f"P{p}/{v}" for p in range(6) for v in range(2)]
    names, rows = [], []
    centres = rng.normal(size=(6, 5))
    for key in videos:
        p, v = key.split("/")
        for f in range(1, 4 + int(v)):
            names.append(f"{key}/{v}.{f}.jpg")
            rows.append(centres[int(p[1:])] + rng.normal(scale=0.9, size=5))
    face = np.array(rows)
    flip = face + rng.normal(scale=0.3, size=face.shape)
    write_embeddings(tmp_path / "frames.npz", face, names, flip)
    lines = ["split number, pair id, first name, second name, is same"]
    for split in (1, 2):
        for i in range(6):
            p = (split * 3 + i) % 6
            other = f"P{p}/1" if i % 2 == 0 else f"P{(p + 1) % 6}/0"
            lines.append(f"{split}, {i + 1}, P{p}/0, {other}, {1 if i % 2 == 0 else 0}")
    (tmp_path / "splits.txt").write_text("\n".join(lines) + "\n")
    result = evaluate("ytf", Source(embeddings=tmp_path / "frames.npz"), tmp_path / "o", pairs=tmp_path / "splits.txt")
    frames = np.concatenate([face, flip], 1).astype(np.float32)  # what `sphere features` stores per frame
    videos, splits = video_features(frames, names), read_splits(tmp_path / "splits.txt")
    a = np.stack([videos[p.video1] for p in splits]).astype(np.float64)
    b = np.stack([videos[p.video2] for p in splits]).astype(np.float64)
    same, folds = np.array([p.same for p in splits]), np.array([p.split for p in splits])
    reference = score_rule("released", a, b, same, folds, subtract_mean=False)
    assert result["accuracy"] == pytest.approx(reference["accuracy"])
    assert result["std"] == pytest.approx(reference["std"]) and result["pairs_total"] == 12
