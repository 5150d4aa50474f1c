"""IJB readings against values worked out by hand, and template pooling, 1:1 TAR and 1:N search against
plain-loop re-implementations of insightface's formulas (eval_ijbc.py, ijb_evals.py) on a tiny stand-in."""

import math

import numpy as np
import pytest

from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import read_embeddings
from sphere.formats.ijb import (
    read_1n_csv,
    read_5pts_score,
    read_face_tid_mid,
    read_template_pairs,
)
from sphere.protocols.ijb import insightface_roc, search_1toN, tar_table, threshold_counts
from sphere.synthetic.ijb_standin import write_ijb_standin

# 4 genuine and 10 impostor scores. Walking the threshold down: FA/TA = 1/0, 1/1, 1/2, 2/2, 2/3, then a
# horizontal run 3/3 .. 9/3, then 9/4, 10/4. sklearn's curve keeps the bends only: (0,0) (1,0) (1,2) (2,2)
# (2,3) (9,3) (9,4) (10,4) over 10 impostors and 4 genuine pairs.
GENUINE = [0.9, 0.85, 0.7, 0.02]
IMPOSTOR = [0.95, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01]


def hand_scores():
    scores = np.array(GENUINE + IMPOSTOR, np.float32)
    return scores, np.array([True] * len(GENUINE) + [False] * len(IMPOSTOR))


def test_insightface_roc_keeps_only_the_bends():
    fpr, tpr = insightface_roc(*threshold_counts(*hand_scores()))
    assert fpr.tolist() == pytest.approx([0, 0.1, 0.1, 0.2, 0.2, 0.9, 0.9, 1.0])
    assert tpr.tolist() == pytest.approx([0, 0, 0.5, 0.5, 0.75, 0.75, 1.0, 1.0])


@pytest.mark.parametrize(
    "far, insightface, at_fpr, conservative",
    [
        (0.1, 50.0, 0.1, 50.0),  # a vertical segment at FPR 0.1: its top (not its foot, 0 %) in both readings
        (0.05, 50.0, 0.1, 0.0),  # FPR 0 and 0.1 equally near: the later (larger) point, above the target
        (0.25, 75.0, 0.2, 75.0),
        (0.8, 100.0, 0.9, 75.0),  # (0.8, 0.75) was dropped as collinear: the nearest kept point is (0.9, 1.0)
    ],
)
def test_tar_readings_by_hand(far, insightface, at_fpr, conservative):
    (row,) = tar_table(*threshold_counts(*hand_scores()), fars=(far,))
    assert row["tar_insightface"] == pytest.approx(insightface)
    assert row["far_insightface"] == pytest.approx(at_fpr)
    assert row["tar_conservative"] == pytest.approx(conservative)
    assert row["tar"] == row["tar_insightface"]
    (chosen,) = tar_table(*threshold_counts(*hand_scores()), fars=(far,), reading="conservative")
    assert chosen["tar"] == pytest.approx(conservative)


def test_insightface_reading_equals_sklearn_roc_with_flipped_argmin():
    """The documented formula itself (sklearn roc_curve, flipud, argmin |fpr - far|) where sklearn is present."""
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    labels = rng.random(3000) < 0.1
    scores = np.round(rng.normal(labels * 1.5, 1.0), 2).astype(np.float32)  # rounded: many ties
    fars = (1e-3, 3e-3, 1e-2, 0.05, 0.1, 0.3)
    fpr, tpr, _ = metrics.roc_curve(labels, scores)
    fpr, tpr = fpr[::-1], tpr[::-1]
    expected = [100 * tpr[int(np.argmin(np.abs(fpr - f)))] for f in fars]
    got = [r["tar_insightface"] for r in tar_table(*threshold_counts(scores, labels), fars=fars)]
    assert got == pytest.approx(expected, abs=1e-12)


def test_one_to_n_readings_by_hand():
    """Gallery: one template per subject 10, 20, 30 (unit axes), so a probe's similarities are its feature.
    Non-mated top scores 0.9 .. 0.05 (10 probes); mated: A beats all at 0.95, B 0.85, C is rank 2, D 0.68."""
    gallery = np.eye(3)
    non_mated = [[s, 0.0, 0.0] for s in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05)]
    mated = [[0.95, 0.1, 0.2], [0.3, 0.85, 0.1], [0.75, 0.2, 0.72], [0.68, 0.1, 0.1]]
    probes = np.array(mated + non_mated)
    subjects = np.array([10, 20, 30, 10] + [99] * 10)
    got = search_1toN(subjects, probes, np.array([10, 20, 30]), gallery, fpirs=(0.01, 0.1, 0.3), ranks=(1, 5))
    assert got["cmc"] == {"1": 75.0, "5": 100.0}
    assert (got["mated_probes"], got["non_mated_probes"]) == (4, 10)
    rows = {r["fpir"]: r for r in got["tpir_at_fpir"]}
    # FPIR 0.1: insightface index max(int(1.0) - 1, 0) = 0 -> t = 0.9 (A); conservative index 1 -> t = 0.8 (A, B)
    assert (rows[0.1]["threshold_insightface"], rows[0.1]["tpir_insightface"]) == (pytest.approx(0.9), 25.0)
    assert (rows[0.1]["threshold_conservative"], rows[0.1]["tpir_conservative"]) == (pytest.approx(0.8), 50.0)
    # FPIR 0.3: index 2 -> t = 0.7 (A, B); conservative index 3 -> t = 0.6 (A, B, D)
    assert (rows[0.3]["threshold_insightface"], rows[0.3]["tpir_insightface"]) == (pytest.approx(0.7), 50.0)
    assert (rows[0.3]["threshold_conservative"], rows[0.3]["tpir_conservative"]) == (pytest.approx(0.6), 75.0)
    # FPIR 0.01: int(0.1) = 0 -> index 0 in both readings; fewer than 1 / 0.01 non-mated probes: unresolved
    assert rows[0.01]["tpir_insightface"] == rows[0.01]["tpir_conservative"] == 25.0
    assert not rows[0.01]["resolved"] and rows[0.1]["resolved"]
    assert rows[0.3]["tpir"] == rows[0.3]["tpir_insightface"]


def test_tpir_needs_the_mate_strictly_above_every_non_mate():
    """ijb_evals.py's correct_pos_cond is pos > max(neg): a tie with a non-mate is not a hit."""
    got = search_1toN(np.array([1, 9]), np.array([[0.5, 0.5], [0.1, 0.0]]), np.array([1, 2]), np.eye(2), fpirs=(0.5,))
    assert got["tpir_at_fpir"][0]["tpir_insightface"] == 0.0


# ---- plain-loop re-implementation of insightface's pipeline on a tiny stand-in, in all 8 N/D/F modes ----


def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def image_inputs(emb, det, norm, detector, flip):
    """eval_ijbc.py: F1 adds the flip half, N0 normalises, D1 multiplies by the detector score."""
    out = {}
    for i, name in enumerate(emb.names):
        f = emb.face[i].tolist()
        if flip:
            f = [a + b for a, b in zip(f, emb.flip[i].tolist())]
        if not norm:
            f = unit(f)
        out[name] = [x * det[i] for x in f] if detector else f
    return out


def pooled_templates(images, templates, medias, feats):
    """image2template_feature written out: media mean, sum over media, normalise."""
    by_template = {}
    for img, t, m in zip(images, templates, medias):
        by_template.setdefault(t, {}).setdefault(m, []).append(feats[img])
    out = {}
    for t, media in by_template.items():
        total = [0.0] * len(next(iter(media.values()))[0])
        for rows in media.values():
            mean = [sum(r[d] for r in rows) / len(rows) for d in range(len(total))]
            total = [a + b for a, b in zip(total, mean)]
        out[t] = unit(total)
    return out


def insightface_tar(scores, labels, far):
    """roc_curve (bends only) then flipud + argmin |fpr - far|, in plain Python."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    points, fa, ta = [], 0, 0
    for k, i in enumerate(order):
        fa, ta = fa + (not labels[i]), ta + bool(labels[i])
        if k + 1 == len(order) or scores[order[k + 1]] != scores[i]:
            points.append((fa, ta))
    kept = [
        p
        for j, p in enumerate(points)
        if j in (0, len(points) - 1)
        or points[j + 1][0] - 2 * p[0] + points[j - 1][0]
        or points[j + 1][1] - 2 * p[1] + points[j - 1][1]
    ]
    curve = [(0.0, 0.0)] + [(a / fa, b / ta) for a, b in kept]
    best = min(range(len(curve)), key=lambda j: (abs(curve[j][0] - far), -j))
    return 100 * curve[best][1]


@pytest.fixture
def standin(tmp_path):
    paths = write_ijb_standin(
        tmp_path,
        "ijbc",
        subjects=40,  # 40 mated and 40 non-mated probes per gallery: FPIR 0.1 separates the two readings
        templates_per_subject=3,
        media_per_template=2,
        images_per_media=2,
        impostors_per_template=8,
        dim=8,
        noise=0.6,
        seed=2,
    )
    return tmp_path, paths


MODES = [(n, d, f) for n in (False, True) for d in (False, True) for f in (False, True)]


@pytest.mark.parametrize("norm, detector, flip", MODES)
def test_one_to_one_and_one_to_n_re_derived(standin, norm, detector, flip):
    root, paths = standin
    faces = read_face_tid_mid(paths["faces"])
    t1, t2, labels = read_template_pairs(paths["pairs"])
    _, _, det = read_5pts_score(paths["landmarks"])
    emb = read_embeddings(paths["embeddings"])
    feats = image_inputs(emb, det, norm, detector, flip)
    temp = pooled_templates(faces.images, faces.templates.tolist(), faces.medias.tolist(), feats)
    result = evaluate(
        "ijbc",
        Source(embeddings=paths["embeddings"]),
        root / "out",
        meta=root / "meta",
        detector_score=detector,
        norm_score=norm,
        ijb_flip=flip,
    )
    scores = [sum(a * b for a, b in zip(temp[a_], temp[b_])) for a_, b_ in zip(t1.tolist(), t2.tolist())]
    for row in result["tar_at_far"]:
        assert row["tar"] == pytest.approx(insightface_tar(scores, labels.tolist(), row["far"]))
    assert result["pairs_scored"] == len(t1) and result["standard"]
    assert result["options"] == {"flip": flip, "detector_score": detector, "norm_score": norm}

    def search(key):  # 1:N templates by id from face_tid_mid (ijb_evals.py), the csv's subjects
        table = read_1n_csv(paths[key])
        subject = dict(zip(table.templates.tolist(), table.subjects.tolist()))
        return {t: temp[t] for t in sorted(subject)}, subject

    probes, p_subject = search("probe")
    for g in ("G1", "G2"):
        gallery, g_subject = search(f"gallery_{g}")
        top1, pos, non_top = 0, [], []
        for t, f in probes.items():
            sims = {gt: sum(a * b for a, b in zip(f, gf)) for gt, gf in gallery.items()}
            mates = [gt for gt in gallery if g_subject[gt] == p_subject[t]]
            if not mates:
                non_top.append(max(sims.values()))
                continue
            best_other = max(s for gt, s in sims.items() if gt not in mates)
            top1 += sims[mates[0]] > best_other
            pos.append((sims[mates[0]] > best_other, sims[mates[0]]))
        got = result["one_to_n"][g]
        assert got["cmc"]["1"] == pytest.approx(100 * top1 / len(pos))
        non_top.sort(reverse=True)
        for row in got["tpir_at_fpir"]:
            t = non_top[max(int(len(non_top) * row["fpir"]) - 1, 0)]
            assert row["tpir"] == pytest.approx(100 * sum(ok and s > t for ok, s in pos) / len(pos))


@pytest.mark.parametrize("pairs", [300, 1000])  # 300 of 200 x 200: gathered rows; 1000: matrix blocks
def test_pair_scores_are_the_dot_products(pairs):
    from sphere.protocols.ijb import pair_scores

    rng = np.random.default_rng(pairs)
    feats = rng.normal(size=(200, 6)).astype(np.float32)
    r1, r2 = rng.integers(0, 200, pairs), rng.integers(0, 200, pairs)
    expected = [sum(float(x) * float(y) for x, y in zip(feats[i], feats[j])) for i, j in zip(r1, r2)]
    assert pair_scores(feats, r1, r2, chunk=64) == pytest.approx(expected, abs=1e-5)
