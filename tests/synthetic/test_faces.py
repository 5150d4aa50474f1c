"""Tests of the procedural synthetic-face generator (sphere.synthetic)."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sphere.synthetic import (
    Identity,
    apply_jpeg,
    identity_distance,
    interpolate,
    neutral_nuisance,
    render,
    sample_identities,
    sample_identity,
    sample_nuisance,
)
from sphere.synthetic.dataset import SyntheticConfig, generate, make_pairs, render_photo
from tests.synthetic.tiny import digest

TINY = dict(
    train_identities=4,
    train_images_per_identity=3,
    test_identities=8,
    test_images_per_identity=3,
    folds=2,
    pairs_per_fold=6,
    raw_size=64,
)
# docs/paper.md §3 alignment template (112 x 96): left eye, right eye, nose, left mouth, right mouth
TEMPLATE = np.array(
    [(30.2946, 51.6963), (65.5318, 51.5014), (48.0252, 71.7366), (33.5493, 92.3655), (62.7299, 92.2041)]
)


def _align(img: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """Grey 112x96 crop by the least-squares similarity from the template to the landmarks."""
    p, q = TEMPLATE[:, 0] + 1j * TEMPLATE[:, 1], lm[:, 0] + 1j * lm[:, 1]
    (alpha, beta), *_ = np.linalg.lstsq(np.stack([p, np.ones(5)], 1), q, rcond=None)
    coeffs = (alpha.real, -alpha.imag, beta.real, alpha.imag, alpha.real, beta.imag)
    crop = Image.fromarray(img).transform((96, 112), Image.AFFINE, coeffs, Image.BILINEAR)
    return np.asarray(crop.convert("L"), dtype=np.float32)


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(SyntheticConfig(seed=3, **TINY), out, progress=False)
    return out


# --- identities and nuisance ---------------------------------------------------------------------


def test_identity_is_deterministic_vector_in_unit_interval():
    a, b = sample_identity(np.random.default_rng(5)), sample_identity(np.random.default_rng(5))
    assert a == b
    v = a.vector()
    assert ((v > 0) & (v < 1)).all()
    assert Identity.from_vector(v) == a
    np.testing.assert_allclose(Identity.from_latent(a.latent()).vector(), v, atol=1e-9)


def test_families_put_some_identities_close_together():
    ids, fam = sample_identities(np.random.default_rng(0), 90, difficulty=1.0)
    same = [identity_distance(ids[i], ids[j]) for i, j in combinations(range(90), 2) if fam[i] == fam[j]]
    diff = [identity_distance(ids[i], ids[j]) for i, j in combinations(range(90), 2) if fam[i] != fam[j]]
    assert len(same) > 20
    assert np.mean(same) < 0.75 * np.mean(diff)
    ids0, fam0 = sample_identities(np.random.default_rng(0), 90, difficulty=0.0)  # no relatedness
    same0 = [identity_distance(ids0[i], ids0[j]) for i, j in combinations(range(90), 2) if fam0[i] == fam0[j]]
    diff0 = [identity_distance(ids0[i], ids0[j]) for i, j in combinations(range(90), 2) if fam0[i] != fam0[j]]
    assert abs(np.mean(same0) / np.mean(diff0) - 1) < 0.1


def test_interpolate_endpoints_midpoint_and_discrete_fields():
    rng = np.random.default_rng(1)
    a, b = sample_nuisance(rng), sample_nuisance(rng)
    assert interpolate(a, b, 0.0) == a and interpolate(a, b, 1.0) == b
    mid = interpolate(a, b, 0.5)
    assert mid.yaw == pytest.approx((a.yaw + b.yaw) / 2) and mid.light_x == pytest.approx((a.light_x + b.light_x) / 2)
    assert interpolate(a, b, 0.49).bg_seed == a.bg_seed and mid.bg_seed == b.bg_seed
    with pytest.raises(ValueError):
        interpolate(a, b, 1.5)


POSE_AND_DEGRADATION = (
    "roll",
    "yaw",
    "pitch",
    "scale",
    "shift_x",
    "shift_y",
    "mouth_open",
    "smile",
    "brow_raise",
    "squint",
    "gaze_x",
    "gaze_y",
    "light_x",
    "light_y",
    "brightness",
    "contrast",
    "cast_r",
    "cast_g",
    "cast_b",
    "blur",
    "noise",
    "occ_kind",
    "bg_clutter",
)


def test_difficulty_scales_nuisance():
    zero, neutral = sample_nuisance(np.random.default_rng(2), 0.0), neutral_nuisance()
    for field in POSE_AND_DEGRADATION:
        assert getattr(zero, field) == pytest.approx(getattr(neutral, field)), field
    rng = np.random.default_rng(3)
    low = [sample_nuisance(rng, 0.5) for _ in range(200)]
    high = [sample_nuisance(rng, 2.0) for _ in range(200)]
    for field in ("yaw", "roll", "smile", "blur", "noise"):
        assert np.mean([abs(getattr(n, field)) for n in high]) > 2 * np.mean([abs(getattr(n, field)) for n in low])
    with pytest.raises(ValueError):
        sample_nuisance(rng, -1.0)


# --- rendering -----------------------------------------------------------------------------------


def test_render_is_deterministic_and_nuisance_changes_the_image():
    rng = np.random.default_rng(4)
    g, nu, nu2 = sample_identity(rng), sample_nuisance(rng), sample_nuisance(rng)
    img, lm = render(g, nu, 96)
    img_again, lm_again = render(g, nu, 96)
    assert img.shape == (96, 96, 3) and img.dtype == np.uint8 and lm.shape == (5, 2)
    np.testing.assert_array_equal(img, img_again)
    np.testing.assert_array_equal(lm, lm_again)
    assert np.abs(render(g, nu2, 96)[0].astype(int) - img).mean() > 5


def test_landmarks_follow_pose():
    g = sample_identity(np.random.default_rng(6))
    size = 128
    _, lm = render(g, neutral_nuisance(), size)
    left, right, nose, ml, mr = lm
    c = (size - 1) / 2
    assert left[0] < c < right[0] and ml[0] < c < mr[0]
    assert abs(left[1] - right[1]) < 1e-3 and abs(nose[0] - c) < 1e-3
    assert left[1] < nose[1] < ml[1]
    _, shifted = render(g, replace(neutral_nuisance(), shift_x=0.1, shift_y=-0.05), size)
    np.testing.assert_allclose(shifted - lm, np.tile([0.1 * size, -0.05 * size], (5, 1)), atol=1e-3)
    _, rolled = render(g, replace(neutral_nuisance(), roll=0.3), size)
    eye_line = rolled[1] - rolled[0]
    assert np.arctan2(eye_line[1], eye_line[0]) == pytest.approx(0.3, abs=1e-6)
    _, yawed = render(g, replace(neutral_nuisance(), yaw=0.5), size)
    assert yawed[1, 0] - yawed[0, 0] < right[0] - left[0]  # foreshortened
    assert yawed[2, 0] - c > 0.5 * (yawed[0, 0] + yawed[1, 0]) - c  # the nose leads the turn


def test_eye_landmarks_sit_on_the_drawn_pupils():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(6):
        g = sample_identity(rng)
        pose = replace(neutral_nuisance(), roll=0.25, yaw=0.3, scale=1.2, shift_x=0.05, glasses_draw=1.0)
        img, lm = render(g, pose, 256)
        grey = img.astype(np.float32).mean(2)
        for x, y in lm[:2]:
            assert grey[int(round(y)), int(round(x))] < 60, "the pupil is dark"
            checked += 1
    assert checked == 12


def test_same_identity_looks_more_alike_than_different_identities_after_alignment():
    rng = np.random.default_rng(8)
    ids = [sample_identity(rng) for _ in range(6)]
    crops = [[_align(*render(g, sample_nuisance(rng, 0.5), 128)) for _ in range(4)] for g in ids]
    same = [np.abs(x - y).mean() for c in crops for x, y in combinations(c, 2)]
    diff = [np.abs(x - y).mean() for c1, c2 in combinations(crops, 2) for x in c1 for y in c2]
    assert np.mean(same) < 0.8 * np.mean(diff)


def test_jpeg_quality_controls_artefacts():
    img, _ = render(sample_identity(np.random.default_rng(9)), neutral_nuisance(), 96)
    err = [np.abs(apply_jpeg(img, q).astype(int) - img).mean() for q in (20, 95)]
    assert err[0] > err[1] > 0


# --- dataset writer ------------------------------------------------------------------------------


def test_layout_counts_and_manifest(tiny_set: Path):
    train = sorted(p.relative_to(tiny_set / "train").as_posix() for p in (tiny_set / "train").rglob("*.jpg"))
    lfw = sorted(p.relative_to(tiny_set / "lfw").as_posix() for p in (tiny_set / "lfw").rglob("*.jpg"))
    assert train == [f"{i:07d}/{j:03d}.jpg" for i in range(4) for j in range(1, 4)]
    assert lfw == [f"Synth_Person_{i:04d}/Synth_Person_{i:04d}_{j:04d}.jpg" for i in range(1, 9) for j in range(1, 4)]
    with Image.open(tiny_set / "train" / train[0]) as im:
        assert im.format == "JPEG" and im.size == (64, 64)
    manifest = json.loads((tiny_set / "manifest.json").read_text())
    assert manifest["counts"] == dict(
        train_identities=4, train_images=12, test_identities=8, test_images=24, folds=2, pairs=12
    )
    assert manifest["config"]["seed"] == 3


def test_landmark_lists_match_photos_and_true_positions(tiny_set: Path):
    cfg = SyntheticConfig(seed=3, **TINY)
    ids, _ = sample_identities(np.random.default_rng([3, 0]), 4, 1.0, cfg.family_size)
    for name, root in (("train_landmarks.txt", "train"), ("lfw_landmarks.txt", "lfw")):
        lines = (tiny_set / name).read_text().splitlines()
        assert len(lines) == (12 if root == "train" else 24)
        for line in lines:
            fields = line.split("\t")
            assert len(fields) == 11 and (tiny_set / root / fields[0]).is_file()
            pts = np.array(fields[1:], dtype=float).reshape(5, 2)
            assert ((pts >= 0) & (pts < 64)).all()
    # written = true + N(0, 1 px): compare with a re-render of the first training photo
    first = (tiny_set / "train_landmarks.txt").read_text().splitlines()[0].split("\t")
    data, true, noisy = render_photo(cfg, ids[0], (0, 0, 0))
    assert data == (tiny_set / "train" / first[0]).read_bytes()
    written = np.array(first[1:], dtype=float).reshape(5, 2)
    np.testing.assert_allclose(written, noisy, atol=0.006)
    assert 0 < np.abs(written - true).max() < 5


def test_pairs_file_has_view2_format(tiny_set: Path):
    lines = (tiny_set / "pairs.txt").read_text().split("\n")
    assert lines[-1] == "" and lines[0] == "2\t3"
    lines = lines[1:-1]
    assert len(lines) == 2 * 2 * 3
    counts = {p.name: len(list(p.iterdir())) for p in (tiny_set / "lfw").iterdir()}
    fold_names = []
    for k in range(2):
        block, names, seen = lines[k * 6 : (k + 1) * 6], set(), set()
        for i, line in enumerate(block):
            f = line.split("\t")
            if i < 3:
                assert len(f) == 3 and f[1] != f[2]
                name1, n1, name2, n2 = f[0], int(f[1]), f[0], int(f[2])
            else:
                assert len(f) == 4 and f[0] != f[2]
                name1, n1, name2, n2 = f[0], int(f[1]), f[2], int(f[3])
            assert 1 <= n1 <= counts[name1] and 1 <= n2 <= counts[name2]
            assert (name1, n1, name2, n2) not in seen
            seen.add((name1, n1, name2, n2))
            names |= {name1, name2}
        fold_names.append(names)
    assert not fold_names[0] & fold_names[1], "folds use disjoint identities"


def test_generate_is_deterministic_per_seed(tiny_set: Path, tmp_path: Path):
    generate(SyntheticConfig(seed=3, **TINY), tmp_path / "again", progress=False)
    assert digest(tmp_path / "again") == digest(tiny_set)
    generate(SyntheticConfig(seed=4, **TINY), tmp_path / "other", progress=False)
    other = digest(tmp_path / "other")
    ref = digest(tiny_set)
    assert other.keys() == ref.keys()
    assert sum(other[k] != ref[k] for k in ref) >= len(ref) - 2  # manifest/layout files may coincide


def test_train_and_test_identities_are_disjoint_draws():
    cfg = SyntheticConfig(seed=3, **TINY)
    train, _ = sample_identities(np.random.default_rng([3, 0]), 4, 1.0, cfg.family_size)
    test, _ = sample_identities(np.random.default_rng([3, 1]), 8, 1.0, cfg.family_size)
    assert min(identity_distance(a, b) for a in train for b in test) > 0.5


def test_generate_refuses_to_overwrite_unless_asked(tiny_set: Path, tmp_path: Path):
    with pytest.raises(FileExistsError):
        generate(SyntheticConfig(seed=3, **TINY), tiny_set, progress=False)
    out = tmp_path / "o"
    generate(SyntheticConfig(seed=3, **{**TINY, "train_identities": 5}), out, progress=False)
    generate(SyntheticConfig(seed=3, **TINY), out, progress=False, overwrite=True)
    assert not (out / "train" / "0000004").exists(), "stale identities are removed"


def test_variable_image_counts_and_pairs(tmp_path: Path):
    cfg = SyntheticConfig(seed=1, **{**TINY, "test_images_per_identity": 5, "test_images_per_identity_min": 2})
    generate(cfg, tmp_path, progress=False)
    counts = {p.name: len(list(p.iterdir())) for p in (tmp_path / "lfw").iterdir()}
    assert set(counts.values()) <= set(range(2, 6)) and len(set(counts.values())) > 1
    for line in (tmp_path / "pairs.txt").read_text().splitlines()[1:]:
        f = line.split("\t")
        pairs = [(f[0], f[1]), (f[0], f[2])] if len(f) == 3 else [(f[0], f[1]), (f[2], f[3])]
        assert all(1 <= int(n) <= counts[name] for name, n in pairs)


@pytest.mark.parametrize(
    "bad",
    [
        dict(pairs_per_fold=5),
        dict(test_identities=3),
        dict(jpeg_quality=(90, 40)),
        dict(difficulty=-1),
        dict(test_images_per_identity=1),
        dict(train_images_per_identity_min=9),
    ],
)
def test_bad_config_is_rejected(bad):
    with pytest.raises(ValueError, match="SyntheticConfig"):
        SyntheticConfig(**{**TINY, **bad})


def test_make_pairs_reports_a_fold_that_cannot_fill():
    with pytest.raises(ValueError, match="fold 1"):
        make_pairs([2, 2, 2, 2], [f"P{i}" for i in range(4)], folds=2, half=5, rng=np.random.default_rng(0))


def test_make_pairs_fills_a_fold_to_capacity_without_repeats():
    lines = make_pairs([4, 4], ["A", "B"], folds=1, half=12, rng=np.random.default_rng(0))
    assert lines[0] == "1\t12" and len(lines) == 25
    same, diff = lines[1:13], lines[13:]
    assert len(set(same)) == 12 and all(len(x.split("\t")) == 3 for x in same)  # all C(4,2) of A and B
    assert len(set(diff)) == 12 and all(x.startswith("A\t") and "\tB\t" in x for x in diff)
