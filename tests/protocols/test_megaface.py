import math

import numpy as np
import pytest
import torch

from sphere.protocols.megaface import (
    _TopScores,
    benchmark_megaface,
    megaface_ladder,
    megaface_metrics,
)
from sphere.protocols.verification import tar_at_far


def unit(degrees):
    rad = np.radians(np.asarray(degrees, np.float64))
    return np.stack([np.cos(rad), np.sin(rad)], axis=1).astype(np.float32)


def test_hand_computed_2d_case():
    # Identity A at 0, 10, 20 degrees; identity B at 90, 100, 130; distractors at 14, 47, 118, 183, 271.
    # Angle from each probe to the distractors (cosine is monotone in the angle):
    #   A0: 14 47 118 177 89    A10: 4 37 108 173 99     A20: 6 27 98 163 109
    #   B90: 76 43 28 93 179    B100: 86 53 18 83 171    B130: 116 83 12 53 141
    # Rank of each mate (query -> mate at angle a; rank = 1 + distractors closer than a):
    #   A0->10 (10 < 14) 1, A0->20 2; A10->0, A10->20 (10 > 4) 2, 2; A20->10, A20->0 (> 6) 2, 2;
    #   B90->100 (10 < 28) 1, B90->130 (40: 28 closer) 2; B100->90 (10 < 18) 1, B100->130 (30) 2;
    #   B130->100 (30 > 12) 2, B130->90 (40) 2.  Rank-1 = 3/12, rank <= 2 for all 12.
    # Verification: genuine angles 10 20 10 | 10 40 30; impostor angles sorted 4 6 12 14 18 27 28 37 ...
    #   FAR 0.1 of 30 -> 3 false accepts allowed, threshold at the 4th (14 deg): accepted 4 6 12 (FAR 0.1),
    #     genuine below 14 deg: three 10s -> TAR 0.5.
    #   FAR 0.2 -> 6 allowed, threshold at the 7th (28 deg): 6 accepted, genuine 10 10 10 20 -> TAR 4/6.
    #   FAR 0.01 < 1/30: unresolved, TAR at zero false accepts = 0 (no genuine pair closer than 4 deg).
    probes = unit([0, 10, 20, 90, 100, 130])
    ids = ["A", "A", "A", "B", "B", "B"]
    distractors = unit([14, 47, 118, 183, 271])
    r = megaface_metrics(probes, ids, distractors, device="cpu", chunk=2, fars=(0.01, 0.1, 0.2), max_rank=3)
    ident = r["identification"]
    assert ident["rank1"] == pytest.approx(0.25)
    assert ident["cmc"] == pytest.approx([0.25, 1.0, 1.0])
    assert (ident["n_queries"], ident["n_identities"], ident["identities_without_mate"]) == (12, 2, 0)
    ver = r["verification"]
    assert (ver["n_genuine"], ver["n_impostor"]) == (6, 30)
    low, mid, high = ver["tar_at_far"]
    assert low["resolved"] is False and low["far_achieved"] == 0 and low["tar"] == 0
    assert "below the resolution" in low["note"]
    assert low["threshold"] == pytest.approx(math.cos(math.radians(4)), abs=1e-6)
    assert mid["resolved"] and mid["far_achieved"] == pytest.approx(0.1) and mid["tar"] == pytest.approx(0.5)
    assert mid["threshold"] == pytest.approx(math.cos(math.radians(14)), abs=1e-6)
    assert high["far_achieved"] == pytest.approx(0.2) and high["tar"] == pytest.approx(4 / 6)
    assert low["far_resolution"] == pytest.approx(1 / 30)


def brute_force(probes, ids, distractors, max_rank, fars):
    p = probes / np.linalg.norm(probes, axis=1, keepdims=True)
    d = distractors / np.linalg.norm(distractors, axis=1, keepdims=True)
    pp, pd = p @ p.T, np.clip(p @ d.T, -1, 1)
    ids = np.asarray(ids)
    same = (ids[:, None] == ids[None, :]) & ~np.eye(len(ids), dtype=bool)
    qi, mj = np.nonzero(same)
    ranks = 1 + np.array([(pd[i] >= pp[i, j]).sum() for i, j in zip(qi, mj)])
    cmc = [(ranks <= k).mean() for k in range(1, max_rank + 1)]
    genuine = pp[np.triu(same, 1)]
    scores = np.r_[genuine, pd.ravel()]
    labels = np.r_[np.ones(len(genuine), bool), np.zeros(pd.size, bool)]
    return cmc, [tar_at_far(scores, labels, f) for f in fars], pd


def test_chunked_equals_brute_force_on_random_data():
    rng = np.random.default_rng(0)
    n_probe, n_dist, dim, max_rank = 48, 3000, 8, 5
    probes = rng.standard_normal((n_probe, dim)).astype(np.float32)
    ids = rng.integers(0, 9, n_probe)
    # make mates closer than chance so that ranks and TARs are not all trivial
    probes += 1.5 * rng.standard_normal((9, dim)).astype(np.float32)[ids]
    distractors = rng.standard_normal((n_dist, dim)).astype(np.float32)
    fars = (1e-4, 1e-3, 1e-2, 0.1)
    sizes = [7, 300, 3000]
    # chunk 97 divides nothing: blocks are split at the ladder boundaries; 4 * k + 65536 is exceeded,
    # so the running top-k compaction is exercised
    chunked = megaface_ladder(probes, ids, distractors, sizes, device="cpu", chunk=97, max_rank=max_rank, fars=fars)
    whole = megaface_ladder(probes, ids, distractors, sizes, device="cpu", chunk=10**6, max_rank=max_rank, fars=fars)
    assert [r["distractors"] for r in chunked] == sizes
    for size, rc, rw in zip(sizes, chunked, whole):
        cmc, tars, pd = brute_force(probes, ids, distractors[:size], max_rank, fars)
        assert rc["identification"]["cmc"] == pytest.approx(cmc, abs=1e-12)
        assert rc["identification"]["cmc"] == rw["identification"]["cmc"]
        assert 0 < cmc[0] < 1
        for got, want, far in zip(rc["verification"]["tar_at_far"], tars, fars):
            n_imp = n_probe * size
            assert got["tar"] == pytest.approx(want, abs=1e-12)
            # numpy and torch round the float32 scores differently in the last bit
            t = got["threshold"]
            assert (pd > t + 1e-6).sum() <= got["false_accepts"] <= (pd > t - 1e-6).sum()
            assert got["far_achieved"] == got["false_accepts"] / n_imp
            assert got["far_achieved"] <= far or not got["resolved"]
            assert got["resolved"] == (far * n_imp >= 1)
        assert rc["verification"]["tar_at_far"] == rw["verification"]["tar_at_far"]
        roc = rc["verification"]["roc"]
        for t, f in list(zip(roc["threshold"], roc["far"]))[::97]:
            assert f == pytest.approx((pd >= t).mean(), abs=2 / pd.size)  # exact up to float rounding at bin edges
        assert roc == rw["verification"]["roc"]


def test_top_scores_keeps_the_k_largest_with_ties():
    rng = np.random.default_rng(1)
    values = np.round(rng.standard_normal(200_000), 2).astype(np.float32)  # many ties
    top = _TopScores(1000)
    for block in np.array_split(values, 37):
        top.add(torch.from_numpy(block).reshape(-1, 1))
    np.testing.assert_array_equal(top.values().numpy(), np.sort(values)[::-1][:1000])


def test_top_scores_cut_off_switches_on_once_k_values_are_kept():
    """The running cut-off (issue 22): set as soon as k values are in, so later blocks are filtered, not sorted."""
    top = _TopScores(5)
    top.add(torch.arange(3, dtype=torch.float32).reshape(1, -1))
    assert top.cut == -math.inf  # 3 of 5 kept: nothing can be ruled out yet
    top.add(torch.arange(3, 10, dtype=torch.float32).reshape(1, -1))
    assert top.cut == 5.0  # 9..5 kept
    top.add(torch.full((4, 8), 2.0), row_max=torch.full((4,), 2.0))  # every row below the cut: skipped
    assert top.count == 5
    top.add(torch.tensor([[7.5, 1.0]]))
    assert top.cut == 6.0 and top.values().tolist() == [9.0, 8.0, 7.5, 7.0, 6.0]


def test_bad_sizes_and_ids():
    probes, dist = np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32)
    with pytest.raises(ValueError, match="sizes"):
        megaface_ladder(probes, [0, 0], dist, [3], device="cpu")
    with pytest.raises(ValueError, match="probe ids"):
        megaface_ladder(probes, [0, 0, 1], dist, device="cpu")


def test_benchmark_runs_small():
    assert benchmark_megaface(n_probe=20, n_distractors=500, dim=16, device="cpu", chunk=128) > 0
