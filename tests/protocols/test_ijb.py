"""IJB template pooling, 1:1 TAR and 1:N search against plain-loop re-derivations on a tiny stand-in."""

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
from sphere.synthetic.ijb_standin import write_ijb_standin


def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def pooled_templates(images, templates, medias, feats):
    """eval_ijbc.py image2template_feature, written out: media mean, sum over media, normalise."""
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


@pytest.fixture
def standin(tmp_path):
    paths = write_ijb_standin(
        tmp_path,
        "ijbc",
        subjects=8,
        templates_per_subject=3,
        media_per_template=2,
        images_per_media=2,
        impostors_per_template=6,
        dim=5,
        noise=1.6,
        seed=2,
    )
    return tmp_path, paths


@pytest.mark.parametrize("detector", [False, True])
def test_one_to_one_re_derived(standin, detector):
    root, paths = standin
    faces = read_face_tid_mid(paths["faces"])
    t1, t2, labels = read_template_pairs(paths["pairs"])
    _, _, det = read_5pts_score(paths["landmarks"])
    emb = read_embeddings(paths["embeddings"])
    feats = {}
    for i, name in enumerate(faces.images):
        f = unit([a + b for a, b in zip(emb.face[i].tolist(), emb.flip[i].tolist())])
        feats[name] = [x * det[i] for x in f] if detector else f
    temp = pooled_templates(faces.images, faces.templates.tolist(), faces.medias.tolist(), feats)
    scores = [sum(a * b for a, b in zip(temp[a_], temp[b_])) for a_, b_ in zip(t1.tolist(), t2.tolist())]
    result = evaluate(
        "ijbc", Source(embeddings=paths["embeddings"]), root / "out", meta=root / "meta", detector_score=detector
    )
    impostor = sorted((s for s, y in zip(scores, labels) if not y), reverse=True)
    genuine = [s for s, y in zip(scores, labels) if y]
    for row in result["tar_at_far"]:
        allowed = math.floor(row["far"] * len(impostor) + 1e-9)  # false accepts allowed at this FAR
        t = impostor[allowed] if allowed < len(impostor) else -math.inf
        assert row["tar"] == pytest.approx(100 * sum(g > t for g in genuine) / len(genuine))
    assert result["pairs_scored"] == len(t1) and result["standard"]
    assert result["options"]["detector_score"] is detector


def test_one_to_n_re_derived(standin):
    root, paths = standin
    emb = read_embeddings(paths["embeddings"])
    index = {n: i for i, n in enumerate(emb.names)}

    def templates(csv):
        table = read_1n_csv(csv)
        names = [f.split("/")[-1] for f in table.filenames]
        feats = {
            n: unit([a + b for a, b in zip(emb.face[index[n]].tolist(), emb.flip[index[n]].tolist())]) for n in names
        }
        pooled = pooled_templates(names, table.templates.tolist(), table.medias.tolist(), feats)
        subject = dict(zip(table.templates.tolist(), table.subjects.tolist()))
        return pooled, subject

    probes, p_subject = templates(paths["probe"])
    result = evaluate("ijbc", Source(embeddings=paths["embeddings"]), root / "out", meta=root / "meta")
    for g in ("G1", "G2"):
        gallery, g_subject = templates(paths[f"gallery_{g}"])
        ranks, non_mated_top, mated = [], [], []
        for t, f in probes.items():
            sims = {gt: sum(a * b for a, b in zip(f, gf)) for gt, gf in gallery.items()}
            mates = [gt for gt in gallery if g_subject[gt] == p_subject[t]]
            if mates:
                mate = max(sims[m] for m in mates)
                rank = 1 + sum(s > mate for gt, s in sims.items() if gt not in mates)
                ranks.append(rank)
                mated.append((rank, mate))
            else:
                non_mated_top.append(max(sims.values()))
        got = result["one_to_n"][g]
        assert got["cmc"]["1"] == pytest.approx(100 * sum(r == 1 for r in ranks) / len(ranks))
        assert got["cmc"]["5"] == pytest.approx(100 * sum(r <= 5 for r in ranks) / len(ranks))
        assert got["mated_probes"] == len(mated) and got["non_mated_probes"] == len(non_mated_top)
        top = sorted(non_mated_top, reverse=True)
        for row in got["tpir_at_fpir"]:
            k = math.floor(row["fpir"] * len(top))
            t = top[k] if k < len(top) else -math.inf
            assert sum(s > t for s in top) <= row["fpir"] * len(top)
            assert row["tpir"] == pytest.approx(100 * sum(r == 1 and s > t for r, s in mated) / len(mated))
        assert "NIST" in got["fpir_definition"]


@pytest.mark.parametrize("pairs", [300, 1000])  # 300 of 200 x 200: gathered rows; 1000: matrix blocks
def test_pair_scores_are_the_dot_products(pairs):
    from sphere.protocols.ijb import pair_scores

    rng = np.random.default_rng(pairs)
    feats = rng.normal(size=(200, 6)).astype(np.float32)
    r1, r2 = rng.integers(0, 200, pairs), rng.integers(0, 200, pairs)
    expected = [sum(float(x) * float(y) for x, y in zip(feats[i], feats[j])) for i, j in zip(r1, r2)]
    assert pair_scores(feats, r1, r2, chunk=64) == pytest.approx(expected, abs=1e-5)
