"""The statements of docs/mechanism.md about the committed default run, checked against its tables and training
logs, so the prose cannot drift from the numbers."""

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "results" / "default"


def ends() -> pd.DataFrame:
    return pd.read_csv(RUN / "tables" / "training_dynamics.csv").set_index("method")


def test_asoftmax_ends_at_softmax_angle_with_at_most_half_its_norm():
    table = ends()
    softmax = table.loc["softmax"]
    for m in ("asoftmax-m2", "asoftmax-m3", "asoftmax-m4"):
        assert table.loc[m, "feature_norm"] <= softmax["feature_norm"] / 2, m
        assert abs(table.loc[m, "theta_y_deg"] - softmax["theta_y_deg"]) <= 4, m


def test_fixed_scale_heads_end_tighter_and_arcface_tightest():
    angle = ends()["theta_y_deg"]
    for head in ("normface", "cosface", "sphereface-r"):
        assert angle[head] <= angle["asoftmax-m4"] - 5, head
    assert angle.idxmin() == "arcface"


def test_accuracy_follows_the_angle_only_loosely():
    acc = pd.read_csv(RUN / "tables" / "loss_comparison.csv").set_index("method")["lfw_acc"]
    angle = ends()["theta_y_deg"]
    assert acc["arcface"] > acc["asoftmax-m4"] and acc["lsoftmax"] > acc["asoftmax-m4"]
    two_tightest = set(angle.dropna().nsmallest(2).index)
    assert two_tightest == {"arcface", "lsoftmax"}
    assert acc["center"] > acc["asoftmax-m4"]
    assert abs(angle["center"] - angle["softmax"]) < abs(angle["center"] - angle["arcface"])


def test_what_the_readings_leave_open():
    norm = ends()["feature_norm"]
    assert 1.5 <= norm["asoftmax-m2"] / norm["asoftmax-m4"] <= 2.5  # "about twice"
    for m in ("asoftmax-m2", "asoftmax-m3", "asoftmax-m4"):
        log = pd.read_csv(RUN / "training" / m / "seed0.csv")
        assert log["feature_norm"].min() < 1 < log["feature_norm"].iloc[-1], m  # falls below 1, then grows


REAL = REPO / "results" / "celeba-lfw" / "tables" / "training_dynamics.csv"
FIXED_SCALE = ["normface", "cosface", "arcface", "sphereface-r"]
NEXT = ["lsoftmax", "center"]
WIDEST = ["asoftmax-m1", "asoftmax-m2", "asoftmax-m3", "asoftmax-m4", "softmax-lr0.05"]


def test_real_run_the_angle_sorts_the_families_and_accuracy_only_the_widest():
    table = pd.read_csv(REAL).set_index("method")
    angle, acc = table["theta_y_deg"], table["lfw_acc"]
    assert angle[FIXED_SCALE].max() < angle[NEXT].min() and angle[NEXT].max() < angle[WIDEST].min()
    assert acc[WIDEST].max() + 1.4 <= acc.drop([*WIDEST, "softmax", "contrastive", "triplet"]).min()
    assert acc[WIDEST].max() - acc[WIDEST].min() < 1.2  # "level with each other"
    assert acc["center"] > acc["sphereface-r"]  # the tighter families overlap in accuracy
    assert angle["sphereface2"] > angle["lsoftmax"] and abs(acc["sphereface2"] - acc["lsoftmax"]) < 0.1
    assert (table["seeds"] == 3).all()


def test_real_run_m_does_not_close_the_angle_in_order_and_shrinks_the_norm():
    table = pd.read_csv(REAL).set_index("method")
    angle, norm = table["theta_y_deg"], table["feature_norm"]
    assert angle["asoftmax-m2"] > angle["asoftmax-m1"] and angle["asoftmax-m4"] > angle["asoftmax-m3"]
    for m in ("asoftmax-m2", "asoftmax-m3", "asoftmax-m4"):
        assert norm[m] <= norm["softmax-lr0.05"] / 3, m


def test_real_run_the_diverged_trainings_stop_early_at_wide_angles_and_score_lowest():
    table = pd.read_csv(REAL).set_index("method")
    for diverged in ("softmax", "contrastive"):
        assert table.loc[diverged, "step"] < 3000
        assert table.loc[diverged, "theta_y_deg"] > table["theta_y_deg"].drop(["softmax", "contrastive"]).max()
    assert set(table["lfw_acc"].nsmallest(2).index) == {"softmax", "contrastive"}


def test_the_seed_spread_quoted_for_both_runs():
    for run in ("default", "celeba-lfw"):
        spread = pd.read_csv(REPO / "results" / run / "tables" / "accuracy_vs_m.csv")["lfw_std_seeds"]
        assert spread.max() <= 0.6, run
