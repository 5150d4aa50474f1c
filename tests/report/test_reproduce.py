import pandas as pd

from sphere.report.reproduce import compare_tables


def write(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "accuracy_vs_m.csv", index=False)


def test_reports_moved_cells_and_gates_accuracy(tmp_path):
    write(
        tmp_path / "old",
        [
            {"method": "softmax", "lfw_acc": 80.0, "lfw_auc": 0.9},
            {"method": "asoftmax-m4", "lfw_acc": 85.0, "lfw_auc": 0.95},
        ],
    )
    write(
        tmp_path / "new",
        [
            {"method": "softmax", "lfw_acc": 80.5, "lfw_auc": 0.91},
            {"method": "asoftmax-m4", "lfw_acc": 83.0, "lfw_auc": 0.95},
        ],
    )
    moved = compare_tables(tmp_path / "old", tmp_path / "new", tolerance=1.0)
    by_cell = {(m.row, m.column): m for m in moved}
    assert set(by_cell) == {("softmax", "lfw_acc"), ("softmax", "lfw_auc"), ("asoftmax-m4", "lfw_acc")}
    assert [m.fails for m in moved if m.fails] == [True]
    assert by_cell[("asoftmax-m4", "lfw_acc")].fails
    assert "85.0 -> 83.0" in str(by_cell[("asoftmax-m4", "lfw_acc")])


def test_missing_rows_and_tables_fail(tmp_path):
    write(tmp_path / "old", [{"method": "softmax", "lfw_acc": 80.0}, {"method": "asoftmax-m4", "lfw_acc": 85.0}])
    write(tmp_path / "new", [{"method": "softmax", "lfw_acc": 80.0}])
    assert [(m.row, m.fails) for m in compare_tables(tmp_path / "old", tmp_path / "new", 1.0)] == [
        ("asoftmax-m4", True)
    ]
    (tmp_path / "empty").mkdir()
    assert compare_tables(tmp_path / "old", tmp_path / "empty", 1.0)[0].fails


def test_identical_tables_move_nothing(tmp_path):
    write(tmp_path / "old", [{"method": "softmax", "lfw_acc": 80.0, "m": None}])
    write(tmp_path / "new", [{"method": "softmax", "lfw_acc": 80.0, "m": None}])
    assert compare_tables(tmp_path / "old", tmp_path / "new", 0.0) == []


def test_rows_keyed_by_method_and_size(tmp_path):
    rows = [
        {"method": "softmax", "distractors": 10, "rank1": 80.0},
        {"method": "softmax", "distractors": 100, "rank1": 50.0},
    ]
    for folder in ("old", "new"):
        (tmp_path / folder).mkdir()
    pd.DataFrame(rows).to_csv(tmp_path / "old" / "megaface.csv", index=False)
    rows[1]["rank1"] = 51.0
    pd.DataFrame(rows).to_csv(tmp_path / "new" / "megaface.csv", index=False)
    [moved] = compare_tables(tmp_path / "old", tmp_path / "new", 1.0)
    assert moved.row == "('softmax', 100)" and moved.column == "rank1" and not moved.fails


def test_per_seed_rows_keyed_by_method_and_seed_when_seeds_are_added(tmp_path):
    # committed: one seed per method (method alone names a row); fresh: three seeds of softmax
    for folder in ("old", "new"):
        (tmp_path / folder).mkdir()
    old = [{"method": "softmax", "seed": 0, "lfw_acc": 86.5}, {"method": "asoftmax-m4", "seed": 0, "lfw_acc": 89.1}]
    new = old + [{"method": "softmax", "seed": 1, "lfw_acc": 86.9}, {"method": "softmax", "seed": 2, "lfw_acc": 86.0}]
    pd.DataFrame(old).to_csv(tmp_path / "old" / "accuracy_vs_m_seeds.csv", index=False)
    pd.DataFrame(new).to_csv(tmp_path / "new" / "accuracy_vs_m_seeds.csv", index=False)
    moved = compare_tables(tmp_path / "old", tmp_path / "new", 1.0)
    assert sorted(m.row for m in moved if m.column == "lfw_acc") == ["('softmax', 1)", "('softmax', 2)"]
    assert all(m.committed == "absent" and m.fails for m in moved)


def test_claims_text_moves_without_failing_but_a_verdict_change_fails(tmp_path):
    for folder in ("old", "new"):
        (tmp_path / folder).mkdir()
    row = {
        "id": "a",
        "claim": "A-Softmax beats softmax",
        "measured": "89.15 vs 86.53",
        "effect": 2.62,
        "verdict": "reproduced",
    }
    pd.DataFrame([row]).to_csv(tmp_path / "old" / "claims.csv", index=False)
    pd.DataFrame([{**row, "measured": "89.20 vs 86.53", "effect": 2.67}]).to_csv(
        tmp_path / "new" / "claims.csv", index=False
    )
    assert [m.fails for m in compare_tables(tmp_path / "old", tmp_path / "new", 1.0)] == [False, False]
    pd.DataFrame([{**row, "verdict": "inconclusive"}]).to_csv(tmp_path / "new" / "claims.csv", index=False)
    [moved] = compare_tables(tmp_path / "old", tmp_path / "new", 1.0)
    assert moved.column == "verdict" and moved.fails
