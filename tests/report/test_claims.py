import json

import numpy as np
import pandas as pd

from sphere.config import typed
from sphere.config.sections import ClaimsConfig
from sphere.report import claims
from sphere.report.claims import write_claims

FOLDS = np.repeat(np.arange(10), 300)


def config() -> dict:
    methods = {"softmax": {"loss": "softmax", "seeds": [0, 1, 2]}}
    methods |= {f"asoftmax-m{m}": {"loss": "asoftmax", "params": {"m": m}, "seeds": [0, 1, 2]} for m in (1, 2, 3, 4)}
    methods |= {"lsoftmax": {"loss": "lsoftmax", "params": {"m": 4}}, "center": {"loss": "center"}}
    methods |= {
        f"{name}-sf{d}": {
            "loss": loss,
            **({"params": {"m": 4}} if loss == "asoftmax" else {}),
            "train": {"model": f"sphereface{d}"},
        }
        for name, loss in (("softmax", "softmax"), ("asoftmax-m4", "asoftmax"))
        for d in (4, 64)
    }
    return {
        "run": "fake",
        "methods": methods,
        "tables": {
            "accuracy_vs_m": ["softmax", "asoftmax-m1", "asoftmax-m2", "asoftmax-m3", "asoftmax-m4"],
            "loss_comparison": ["softmax", "lsoftmax", "center", "asoftmax-m4"],
            "accuracy_vs_depth": ["softmax-sf4", "softmax-sf64", "asoftmax-m4-sf4", "asoftmax-m4-sf64"],
        },
    }


ACCURACY = {
    "softmax": 80,
    "asoftmax-m1": 80.5,
    "asoftmax-m2": 83,
    "asoftmax-m3": 85,
    "asoftmax-m4": 88,
    "lsoftmax": 87.8,
    "center": 95,
    "softmax-sf4": 80,
    "softmax-sf64": 86,
    "asoftmax-m4-sf4": 84,
    "asoftmax-m4-sf64": 90,
}


def fake_run(tmp_path, cfg) -> None:
    """lfw.json + pairs.csv per cell: pairs right at about the method's accuracy, shared difficulty."""
    rng = np.random.default_rng(0)
    difficulty = rng.random(len(FOLDS))  # pair k is right when its difficulty is below the accuracy
    for method, spec in cfg["methods"].items():
        for seed in spec.get("seeds", [0]):
            jitter = rng.normal(0, 0.3)
            correct = difficulty < (ACCURACY[method] + jitter) / 100
            folder = tmp_path / "metrics" / method / f"seed{seed}"
            folder.mkdir(parents=True)
            folds = [100 * correct[FOLDS == f].mean() for f in range(10)]
            (folder / "lfw.json").write_text(json.dumps({"fold_accuracy": folds}))
            pd.DataFrame({"fold": FOLDS, "correct": correct}).to_csv(folder / "pairs.csv", index=False)
    (tmp_path / "tables").mkdir()
    afs = [
        {"method": f"asoftmax-m{m}", "seed": s, "angular_fisher_score": 0.3 - 0.02 * m + 0.001 * s}
        for m in (1, 2, 3, 4)
        for s in range(3)
    ]
    pd.DataFrame(afs).to_csv(tmp_path / "tables" / "angle_stats_seeds.csv", index=False)


def test_claims_table_verdicts_tests_and_effects(tmp_path):
    cfg = config()
    fake_run(tmp_path, cfg)
    table = write_claims(typed(cfg), tmp_path).set_index("id")
    assert set(table.index) == {"a", "b1", "b2", "c1", "c2", "c3", "d1", "d2", "d", "e1"}
    # a: 3 seeds each, paired over seeds x folds; the effect is the mean of the paired fold differences
    folds = {
        m: np.array(
            [
                json.loads((tmp_path / "metrics" / m / f"seed{s}" / "lfw.json").read_text())["fold_accuracy"]
                for s in range(3)
            ]
        )
        for m in ("asoftmax-m4", "softmax")
    }
    assert np.isclose(table.at["a", "effect"], (folds["asoftmax-m4"] - folds["softmax"]).mean(), atol=1e-4)
    assert table.at["a", "verdict"] == "reproduced" and "3 seeds x 10 folds" in table.at["a", "test"]
    assert table.at["b1", "verdict"] == "reproduced" and table.at["b1", "effect"] > 2
    # c1, c2: single models on the same pairs -> McNemar
    assert table.at["c1", "test"].startswith("McNemar") and table.at["c1", "verdict"] == "reproduced"
    assert "these two models" in table.at["c1", "test"]
    # d2: centre loss far ahead -> A-Softmax's lead is reversed; d: p is d2's one-sided p, close to 1
    assert table.at["d2", "verdict"] == "not reproduced" and table.at["d", "verdict"] == "not reproduced"
    assert table.at["d", "p"] > 0.99 and "intersection-union" in table.at["d", "test"]
    # d1: a 0.2-point gap, interval below the configured 0.5 points but not below the paper's own 0.32
    assert 0.32 < table.at["d1", "ci_high"] < 0.5 and table.at["d1", "verdict"] == "inconclusive"
    # one side (L-Softmax) a single model: the seed variance of the 3-seed methods joins its interval
    assert "seed variance added" in table.at["d1", "test"] and "pooled over 5 methods" in table.at["d1", "test"]
    assert table.at["e1", "verdict"] == "reproduced" and np.isclose(table.at["e1", "effect"], -0.02, atol=1e-3)
    assert (tmp_path / "tables" / "claims.md").read_text().count("\n| ") == len(table) + 2  # header, rule, rows
    assert (tmp_path / "figures" / "claims.png").stat().st_size > 1000


def test_the_relevance_threshold_is_the_configs_claims_min_effect(tmp_path, monkeypatch):
    """Every ordering claim is judged against claims.min_effect; without a claims section, against the one default
    (ClaimsConfig, sphere/config/sections.py)."""
    cfg = config()
    fake_run(tmp_path, cfg)
    seen: list[float] = []
    threshold = claims.practical_threshold
    monkeypatch.setattr(claims, "practical_threshold", lambda m, paper: seen.append(m) or threshold(m, paper))
    claims.evaluate_claims(typed(cfg), tmp_path)
    assert len(seen) > 5 and set(seen) == {ClaimsConfig().min_effect}
    seen.clear()
    claims.evaluate_claims(typed({**cfg, "claims": {"min_effect": 0.2}}), tmp_path)
    assert len(seen) > 5 and set(seen) == {0.2}
