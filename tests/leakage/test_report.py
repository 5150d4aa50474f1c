import json

import pandas as pd

from sphere.leakage.report import best_model, run_leakage
from tests.leakage.stores import NAMESAKE, SHARED, planted_stores


def test_planted_identities_through_a_model_and_stores(tmp_path):
    train, test, model = planted_stores(tmp_path)
    out = tmp_path / "tables" / "leakage.csv"
    summary = run_leakage(train, {"lfw": test}, model, out, tmp_path / "figures" / "leakage.png")
    table = pd.read_csv(out)
    by_embedding = table[table["match"].str.contains("embedding")]
    assert set(zip(by_embedding["test_identity"], by_embedding["train_identity"])) == set(SHARED.items())
    namesake = table.set_index("test_identity").loc[NAMESAKE[0]]
    assert namesake["match"] == "name" and namesake["train_identity"] == NAMESAKE[1]
    assert (table["test_set"] == "lfw").all() and table["train_paths"].str.count(";").eq(2).all()
    assert summary.loc[0, "by_embedding"] == 4 and summary.loc[0, "by_name"] == 1
    assert summary.loc[0, "impostor_pairs"] == 16 * 15 // 2
    assert summary.loc[0, "recall_estimate"] > 0.9  # the faces of one identity differ by pixel noise only
    assert "Candidates" in out.with_suffix(".md").read_text()
    assert (tmp_path / "figures" / "leakage.png").stat().st_size > 1000


def test_best_model_is_the_best_methods_first_seed(tmp_path):
    (tmp_path / "report.json").write_text(
        json.dumps({"lfw_acc": {"softmax": 80.0, "asoftmax-m4": 82.0}, "loss_comparison": {"arcface": 85.5}})
    )
    for method, seed in (("arcface", 1), ("arcface", 2), ("asoftmax-m4", 0)):
        folder = tmp_path / "models" / method / f"seed{seed}"
        folder.mkdir(parents=True)
        (folder / "model.pt").write_bytes(b"")
    assert best_model(tmp_path) == tmp_path / "models" / "arcface" / "seed1" / "model.pt"
