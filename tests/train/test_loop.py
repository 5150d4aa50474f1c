import dataclasses

import pandas as pd
import pytest
import torch

from sphere.config.settings import TrainConfig
from sphere.train.loop import NonFiniteLoss, learning_rate, train

CFG = TrainConfig(
    model="sphereface4",
    width=0.125,
    feature_dim=8,
    batch_size=8,
    iterations=12,
    lr=0.05,
    lr_steps=[8],
    loss="asoftmax",
    loss_params={"m": 4, "gamma": 1.0},
    log_every=2,
    checkpoint_every=4,
    device="cpu",
    threads=1,
)


def weights(path):
    return torch.load(path, weights_only=True)["model"]


def count_steps(monkeypatch) -> list:
    import sphere.train.loop

    calls = []
    real = sphere.train.loop.train_step
    monkeypatch.setattr(sphere.train.loop, "train_step", lambda *a: calls.append(1) or real(*a))
    return calls


def test_resume_after_interruption_gives_the_same_weights(tiny_store, tmp_path, monkeypatch, capsys):
    train(CFG, tiny_store, tmp_path / "straight", progress=False)
    train(CFG, tiny_store, tmp_path / "resumed", stop_at=6, progress=False)  # killed mid-run after step 6
    assert not (tmp_path / "resumed" / "model.pt").exists()
    steps = count_steps(monkeypatch)
    capsys.readouterr()
    train(CFG, tiny_store, tmp_path / "resumed", progress=False)
    assert len(steps) == CFG.iterations - 6  # it continued from the checkpoint, not from scratch
    assert f"resuming at step 6 of {CFG.iterations}" in capsys.readouterr().err
    a, b = weights(tmp_path / "straight" / "model.pt"), weights(tmp_path / "resumed" / "model.pt")
    assert all(torch.equal(a[k], b[k]) for k in a)
    straight = pd.read_csv(tmp_path / "straight" / "metrics.csv")
    resumed = pd.read_csv(tmp_path / "resumed" / "metrics.csv")
    pd.testing.assert_frame_equal(straight, resumed)
    assert list(straight["step"]) == [2, 4, 6, 8, 10, 12]
    assert {"loss", "lr", "lambda", "train_acc"} <= set(straight.columns)


def test_learning_rate_steps():
    cfg = dataclasses.replace(CFG, lr=0.1, lr_steps=[16000, 24000])
    assert [learning_rate(cfg, s) for s in (0, 15999, 16000, 24000)] == pytest.approx([0.1, 0.1, 0.01, 0.001])


def test_non_finite_loss_stops_naming_the_step(tiny_store, tmp_path):
    cfg = dataclasses.replace(CFG, lr=1e30, loss="softmax", loss_params={})
    with pytest.raises(NonFiniteLoss, match=r"non-finite loss at step \d+; last good checkpoint"):
        train(cfg, tiny_store, tmp_path / "diverged", progress=False)


def test_divergence_is_recorded_with_the_last_good_weights(tiny_store, tmp_path):
    import json

    from sphere.train.loop import train_or_record_divergence

    cfg = dataclasses.replace(CFG, lr=1e30, loss="softmax", loss_params={})
    train_or_record_divergence(cfg, tiny_store, tmp_path / "diverged")
    status = json.loads((tmp_path / "diverged" / "status.json").read_text())
    assert status["status"] == "diverged" and status["message"].startswith("non-finite loss at step")
    assert pd.read_csv(tmp_path / "diverged" / "metrics.csv")["loss"].isna().iloc[-1]  # the log shows the failure
    weights = torch.load(tmp_path / "diverged" / "model.pt", weights_only=True)["model"]
    assert all(torch.isfinite(w).all() for w in weights.values())


def test_checkpoint_of_other_settings_is_not_resumed(tiny_store, tmp_path, monkeypatch):
    train(CFG, tiny_store, tmp_path / "run", stop_at=6, progress=False)
    changed = dataclasses.replace(CFG, lr=0.01)
    steps = count_steps(monkeypatch)
    train(changed, tiny_store, tmp_path / "run", progress=False)
    assert len(steps) == CFG.iterations
    train(changed, tiny_store, tmp_path / "fresh", progress=False)
    a, b = weights(tmp_path / "run" / "model.pt"), weights(tmp_path / "fresh" / "model.pt")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_released_solver_multipliers():
    """sphereface_model.prototxt: biases lr_mult 2, decay_mult 0; weights (and PReLU slopes) 1 and 1."""
    from sphere.losses import create_head
    from sphere.models import create_model
    from sphere.train.loop import parameter_groups

    cfg = TrainConfig(model="sphereface4", width=0.125, feature_dim=8, loss="softmax", lr=0.1, weight_decay=5e-4)
    model = create_model("sphereface4", width=0.125, feature_dim=8, input_size=(40, 32))
    head = create_head("softmax", 8, 5)
    named = dict(list(model.named_parameters()) + [(f"head.{k}", v) for k, v in head.named_parameters()])
    setting = {id(p): (g["lr"], g["weight_decay"]) for g in parameter_groups(model, head, cfg) for p in g["params"]}
    assert len(setting) == len(named)
    for name, p in named.items():
        expected = (0.2, 0.0) if name.endswith("bias") else (0.1, 5e-4)
        assert setting[id(p)] == expected, name
    plain = parameter_groups(model, head, dataclasses.replace(cfg, param_multipliers="none"))
    assert {(g["lr"], g["weight_decay"]) for g in plain} == {(0.1, 5e-4)}


def test_centre_alpha_is_not_scheduled(tmp_path, tiny_store):
    """The centre-loss step alpha stays fixed while the lr falls (the released solver does not decay it)."""
    import torch

    cfg = TrainConfig(
        model="sphereface4",
        width=0.125,
        feature_dim=8,
        loss="center",
        batch_size=8,
        iterations=6,
        lr_steps=[2, 4],
        log_every=2,
        checkpoint_every=6,
        device="cpu",
    )
    train(cfg, tiny_store, tmp_path / "run", progress=False)
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    lrs = [g["lr"] for g in state["optimizer"]["param_groups"]]
    assert 0.5 in lrs and min(lrs) == pytest.approx(0.001)


def test_lambda_counter_advances_before_use(tiny_store, tmp_path):
    """The released layer increments its iteration before computing lambda: step s (1-based) uses iter s."""
    train(CFG, tiny_store, tmp_path / "run", progress=False)
    metrics = pd.read_csv(tmp_path / "run" / "metrics.csv").set_index("step")
    # logged lambda is the last step of each interval: steps 2 and 4, gamma 1.0 -> 1000 / (1 + s)
    assert metrics.loc[2, "lambda"] == pytest.approx(1000 / 3)
    assert metrics.loc[4, "lambda"] == pytest.approx(1000 / 5)


def test_train_yaml_records_the_recipe(tiny_store, tmp_path):
    import yaml

    train(CFG, tiny_store, tmp_path / "run", progress=False)
    record = yaml.safe_load((tmp_path / "run" / "train.yaml").read_text())
    assert record["recipe"] == {
        "init": "caffe",
        "param_multipliers": "released",
        "lambda_counter": "advanced before use",
        "gradient": "released",
        "renormalise": True,
    }


def test_monitor_is_the_mean_norm_and_target_angle():
    import math

    from sphere.train.loop import monitor

    features = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    weights = torch.tensor([[1.0, 0.0], [0.0, 5.0]])  # features at atan2(4, 3) to class 0, 0 degrees to class 1
    norm, angle = monitor(features, weights, torch.tensor([0, 1])).tolist()
    assert norm == pytest.approx(3.5)
    assert angle == pytest.approx((math.degrees(math.atan2(4, 3)) + 0.0) / 2, abs=1e-4)
    norm, angle = monitor(features, None, torch.tensor([0, 1])).tolist()
    assert norm == pytest.approx(3.5) and math.isnan(angle)


@pytest.mark.parametrize("loss", ["asoftmax", "triplet"])
def test_metrics_log_feature_norm_and_target_angle(tiny_store, tmp_path, loss):
    params = {"m": 4, "gamma": 1.0} if loss == "asoftmax" else {}
    cfg = dataclasses.replace(CFG, loss=loss, loss_params=params, iterations=4, lr_steps=[], images_per_identity=2)
    train(cfg, tiny_store, tmp_path / "run", progress=False)
    metrics = pd.read_csv(tmp_path / "run" / "metrics.csv")
    assert (metrics["feature_norm"] > 0).all()
    if loss == "triplet":  # no class weights: the column is there and empty
        assert metrics["theta_y_deg"].isna().all()
    else:
        assert metrics["theta_y_deg"].between(0, 180).all() and metrics["theta_y_deg"].notna().all()
