"""The DAG's stand-ins (IJB-C format from photos, .bin from a store) and its tables."""

import numpy as np
import pandas as pd
from PIL import Image

from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.evaluate.standins import ijb_from_photos
from sphere.evaluate.tables import evaluate_tables
from sphere.formats.ijb import (
    read_1n_csv,
    read_5pts_score,
    read_face_tid_mid,
    read_template_pairs,
)
from sphere.synthetic.ijb_standin import write_ijb_standin


def test_ijb_from_photos_is_readable_and_structured(tmp_path):
    rng = np.random.default_rng(0)
    lines = []
    for p in range(4):
        (tmp_path / "raw" / f"P{p}").mkdir(parents=True)
        for i in range(5):
            name = f"P{p}/P{p}_{i + 1:04d}.jpg"
            Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(tmp_path / "raw" / name)
            lines.append(name + "\t" + "\t".join(f"{v:.1f}" for v in rng.uniform(5, 15, 10)))
    (tmp_path / "lm.txt").write_text("\n".join(lines) + "\n")
    paths = ijb_from_photos(tmp_path / "raw", tmp_path / "lm.txt", tmp_path / "ijbc", impostors_per_template=3)
    faces = read_face_tid_mid(paths["faces"])
    assert len(faces.images) == 20 and len(set(faces.templates.tolist())) == 8
    assert (tmp_path / "ijbc" / "loose_crop" / faces.images[-1]).is_file()
    names, points, scores = read_5pts_score(paths["landmarks"])
    assert names == faces.images and (scores == 1).all()
    t1, t2, label = read_template_pairs(paths["pairs"])
    assert label.sum() == 4  # one genuine pair per identity: its two templates
    subject = dict(zip(read_1n_csv(paths["probe"]).templates.tolist(), read_1n_csv(paths["probe"]).subjects.tolist()))
    assert len(subject) == 4 and len(read_1n_csv(paths["gallery_G1"]).filenames) == 4  # P0 and P2, 2 photos each


def test_tables_gather_rule_variants_and_ijb(lfw, tmp_path):
    pairs, emb, *_ = lfw
    evaluate("lfw", Source(embeddings=emb), tmp_path / "a", "all", name="lfw", pairs=pairs)
    ijb = write_ijb_standin(tmp_path / "ijb", subjects=6, templates_per_subject=3, dim=4)
    evaluate("ijbc", Source(embeddings=ijb["embeddings"]), tmp_path / "b", meta=tmp_path / "ijb" / "meta")
    written = evaluate_tables(
        [tmp_path / "a" / "lfw.json", tmp_path / "b" / "ijbc.json", tmp_path / "a" / "lfw.json"],
        ["m1", "m1", "m2"],
        tmp_path / "tables",
    )
    variants = pd.read_csv(written[0])
    assert variants["method"].tolist() == ["m1"] * 4 + ["m2"] * 4
    assert (variants.loc[variants["rule"] == "released", "diff_vs_released"] == 0).all()
    ijb_table = pd.read_csv(written[1])
    assert ijb_table["method"].tolist() == ["m1"] and "tar_far1e-04" in ijb_table and "rank1_G1" in ijb_table
