"""`sphere evaluate --benchmark ijbc` on a hand-built IJB-C-layout set: 1:N images found by template and
media id (not by the 1:N files' names), detector weights in 1:N, refusals naming the file, readings."""

import json

import numpy as np
import pytest

from sphere.cli import main
from sphere.errors import InputError
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import write_embeddings

# name, template, media, 2-d feature, detector score. G1: template 1 (subject 1), 2 (subject 2);
# G2: template 6 (subject 3); probes: template 3 (subject 1, two media), template 4 (subject 9, non-mated).
IMAGES = [
    ("g1.jpg", 1, 1, (1.0, 0.0), 1.0),
    ("g2.jpg", 2, 2, (0.0, 1.0), 1.0),
    ("p1.jpg", 3, 3, (0.0, 1.0), 0.1),
    ("p2.jpg", 3, 4, (0.8, 0.6), 1.0),
    ("p3.jpg", 4, 5, (0.6, -0.8), 1.0),
    ("q.jpg", 6, 6, (-1.0, 0.0), 1.0),
]
SEARCH = {
    "gallery_G1": [(1, 1, "img/renamed_a.jpg"), (2, 2, "img/renamed_b.jpg")],
    "gallery_G2": [(6, 3, "frames/0001.png")],
    "probe_mixed": [(3, 1, "img/x.jpg"), (3, 1, "frames/y.png"), (4, 9, "img/z.jpg")],
}


def write_set(root, search=SEARCH, drop=()):
    meta = root / "meta"
    meta.mkdir(parents=True, exist_ok=True)
    (meta / "ijbc_face_tid_mid.txt").write_text("".join(f"{n} {t} {m}\n" for n, t, m, _, _ in IMAGES))
    points = " ".join(["50.0"] * 10)
    (meta / "ijbc_name_5pts_score.txt").write_text("".join(f"{n} {points} {s}\n" for n, _, _, _, s in IMAGES))
    (meta / "ijbc_template_pair_label.txt").write_text("1 3 1\n2 3 0\n1 4 0\n2 4 0\n6 4 0\n")
    for key, rows in search.items():
        lines = "".join(f"{t},{s},{f},{k}\n" for k, (t, s, f) in enumerate(rows))
        (meta / f"ijbc_1N_{key}.csv").write_text("TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n" + lines)
    kept = [im for im in IMAGES if im[0] not in drop]
    write_embeddings(root / "emb.npz", np.array([im[3] for im in kept]), [im[0] for im in kept])
    return meta, root / "emb.npz"


def score(root, **options):
    meta, emb = write_set(root, **{k: options.pop(k) for k in ("search", "drop") if k in options})
    return evaluate("ijbc", Source(embeddings=emb), root / "out", meta=meta, **options)


def test_detector_scores_weight_the_one_to_n_templates(tmp_path):
    """Probe template 3 = media (0, 1) + media (0.8, 0.6). Unweighted: (0.8, 1.6), nearer subject 2's (0, 1):
    its mate (1, 0) is rank 2. Weighted by 0.1 and 1.0: (0.8, 0.7), nearer (1, 0): rank 1, and its cosine
    0.8 / sqrt(1.13) = 0.753 beats the non-mated probe's top score 0.6: TPIR 100 %."""
    plain = score(tmp_path)["one_to_n"]["G1"]
    weighted = score(tmp_path, detector_score=True)["one_to_n"]["G1"]
    assert (plain["mated_probes"], plain["non_mated_probes"]) == (1, 1)
    assert plain["cmc"]["1"] == 0.0 and plain["cmc"]["5"] == 100.0
    assert weighted["cmc"]["1"] == 100.0
    assert [r["tpir"] for r in weighted["tpir_at_fpir"]] == [100.0, 100.0, 100.0]
    assert weighted["tpir_at_fpir"][0]["threshold"] == pytest.approx(0.6)


def test_one_to_n_images_come_from_the_meta_ids_not_the_csv_names(tmp_path):
    """The 1:N files name no image of face_tid_mid (renamed crops): templates still get their images."""
    result = score(tmp_path, detector_score=True)
    assert result["one_to_n"]["G2"]["mated_probes"] == 0  # subject 3 is probed by nobody
    assert "face_tid_mid" in result["one_to_n_note"] and result["standard"]


@pytest.mark.parametrize(
    "key, rows, message",
    [
        ("probe_mixed", [(3, 1, "a.jpg"), (77, 1, "b.jpg")], "ijbc_1N_probe_mixed.csv:3: template 77 is not in"),
        ("gallery_G1", [(1, 1, "g1.jpg"), (2, 2, "p2.jpg")], "ijbc_1N_gallery_G1.csv:3: 'p2.jpg' is in template 3"),
        ("gallery_G1", [(1, 1, "a.jpg"), (1, 5, "b.jpg")], "ijbc_1N_gallery_G1.csv:3: template 1 has subject 5"),
    ],
)
def test_names_and_meta_that_disagree_are_refused_naming_the_file(tmp_path, key, rows, message):
    with pytest.raises(InputError, match=message.replace(".", r"\.")):
        score(tmp_path, search={**SEARCH, key: rows})


def test_allow_missing_drops_one_to_n_templates_without_images(tmp_path):
    with pytest.raises(InputError, match="'g2.jpg' has no embedding"):
        score(tmp_path, drop=("g2.jpg",))
    result = score(tmp_path, drop=("g2.jpg",), allow_missing=True)
    assert result["one_to_n_templates_dropped"] == 1 and not result["standard"]
    assert result["one_to_n"]["G1"]["gallery_templates"] == 1
    assert result["pairs_scored"] == 3  # the pairs with template 2 are gone


def test_cli_reading_card_and_one_line_refusal(tmp_path, capsys):
    meta, emb = write_set(tmp_path)
    args = ["evaluate", "--benchmark", "ijbc", "--embeddings", str(emb), "--meta", str(meta)]
    main([*args, "--out", str(tmp_path / "a"), "--ijb-reading", "conservative"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ijbc 1:1") and out[1].startswith("card: ijbc ijbc_template_pair_label.txt")
    saved = json.loads((tmp_path / "a" / "ijbc.json").read_text())
    assert saved["reading"] == "conservative" and saved["card"]["rule"]["others_reported"] == ["insightface"]
    assert all(r["tar"] == r["tar_conservative"] for r in saved["tar_at_far"])
    write_set(tmp_path, search={**SEARCH, "probe_mixed": [(78, 1, "a.jpg")]})
    with pytest.raises(SystemExit) as stop:
        main([*args, "--out", str(tmp_path / "b")])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sphere evaluate: ") and "ijbc_1N_probe_mixed.csv:2: template 78" in err
    assert len(err.splitlines()) == 1
