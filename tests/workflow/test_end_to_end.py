"""The whole DAG on a tiny synthetic config: raw faces to tables and figures in seconds, the benchmark of
every job, and Snakemake's own report of the run rendered in headless Chromium."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def tiny_config(results: Path) -> dict:
    config = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
    config.update(run="tiny", results=str(results), crop=[28, 24])
    config["synthetic"].update(
        train_identities=6,
        train_images_per_identity=4,
        test_identities=8,
        test_images_per_identity=3,
        folds=2,
        pairs_per_fold=4,
        raw_size=64,
    )
    config["train"].update(
        width=0.125, feature_dim=8, batch_size=8, iterations=4, lr_steps=[3], log_every=2, checkpoint_every=2
    )
    config["methods"] = {k: config["methods"][k] for k in ("softmax", "asoftmax-m4", "toy-m4")}
    config["methods"]["softmax"].pop("seeds", None)
    config["methods"]["asoftmax-m4"]["seeds"] = [0, 1]  # one method trained twice: the seed level of the DAG
    config["methods"]["toy-m4"]["train"] = {"feature_dim": 3, "batch_size": 8}
    config["tables"] = {
        "accuracy_vs_m": ["softmax", "asoftmax-m4"],
        "loss_comparison": ["softmax", "asoftmax-m4"],
        "accuracy_vs_depth": ["softmax", "asoftmax-m4"],
        "toy": ["toy-m4"],
    }
    config["ytf"] = {
        "frame_cap": 3,
        "frame_selection": "even",
        "synthetic": {
            "identities": 8,
            "videos_per_identity": 2,
            "frames_per_video": 4,
            "splits": 2,
            "pairs_per_split": 4,
            "raw_size": 64,
        },
    }
    config["megaface"] = {
        "sizes": [5, 20],
        "synthetic": {"probe_identities": 3, "probe_images_per_identity": 2, "raw_size": 64},
    }
    config["evaluate"] = {"methods": ["softmax"], "benchmarks": ["lfw", "ijbc"]}
    return config


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The tiny DAG, run once for the tests of this module: (its configfile, its run folder)."""
    tmp_path = tmp_path_factory.mktemp("tiny")
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(tmp_path / "results")))
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(tmp_path / "tiny.yaml")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return tmp_path / "tiny.yaml", tmp_path / "results" / "tiny"


@pytest.mark.slow
def test_snakemake_regenerates_tables_and_figures(tiny_run):
    _, run = tiny_run
    table = pd.read_csv(run / "tables" / "accuracy_vs_m.csv")
    assert list(table["method"]) == ["softmax", "asoftmax-m4"]
    assert {"method", "m", "lfw_acc", "lfw_std", "paper_lfw"} <= set(table.columns)
    assert table["lfw_acc"].between(0, 100).all() and table["paper_lfw"].tolist() == [97.88, 99.42]
    angles = pd.read_csv(run / "tables" / "angle_stats.csv")
    assert (angles["max_intra_deg"] >= angles["intra_p99_deg"]).all()
    assert {"ytf_acc", "ytf_std", "paper_ytf"} <= set(table.columns) and table["paper_ytf"].tolist() == [93.1, 95.0]
    assert table["ytf_acc"].between(0, 100).all()
    ytf = json.loads((run / "metrics" / "softmax" / "seed0" / "ytf.json").read_text())
    assert ytf["aggregation"]["frame_cap"] == 3 and ytf["pairs_total"] == 8
    megaface = pd.read_csv(run / "tables" / "megaface.csv").set_index(["method", "distractors"]).sort_index()
    assert megaface.index.tolist() == [("asoftmax-m4", 5), ("asoftmax-m4", 20), ("softmax", 5), ("softmax", 20)]
    assert table.set_index("method")["seeds"].to_dict() == {"softmax": 1, "asoftmax-m4": 2}
    seeds = pd.read_csv(run / "tables" / "accuracy_vs_m_seeds.csv")
    assert list(zip(seeds["method"], seeds["seed"])) == [("softmax", 0), ("asoftmax-m4", 0), ("asoftmax-m4", 1)]
    m4 = seeds[seeds["method"] == "asoftmax-m4"]["lfw_acc"]
    assert abs(table.set_index("method").at["asoftmax-m4", "lfw_acc"] - m4.mean()) < 0.006
    claims = pd.read_csv(run / "tables" / "claims.csv").set_index("id")
    assert claims.at["a", "paper"].startswith("99.42 vs 97.88") and "2 seeds x 2 folds" in claims.at["a", "test"]
    assert set(claims["verdict"]) <= {"reproduced", "not reproduced", "inconclusive"}
    assert megaface["rank1"].between(0, 100).all() and not megaface["far_resolved"].any()
    assert megaface["paper_rank1_1M"].tolist()[1::2] == [72.729, 54.855]
    losses = pd.read_csv(run / "tables" / "loss_comparison.csv")
    assert losses["paper_lfw"].tolist() == [97.88, 99.42] and (losses["status"] == "ok").all()
    assert pd.read_csv(run / "tables" / "accuracy_vs_depth.csv")["depth"].tolist() == [4, 4]
    toy = pd.read_csv(run / "tables" / "toy_angles.csv")
    assert toy["method"].tolist() == ["toy-m4"] and toy["m"].tolist() == [4]
    assert "toy-m4" not in set(pd.read_csv(run / "tables" / "angle_stats.csv")["method"])
    for figure in (
        "angle_hist.png",
        "accuracy_vs_m.png",
        "megaface_cmc.png",
        "megaface_roc.png",
        "accuracy_vs_depth.png",
        "sphere3d.png",
        "claims.png",
        "feature_norm.png",
    ):
        assert (run / "figures" / figure).stat().st_size > 1000
    variants = pd.read_csv(run / "tables" / "protocol_variants.csv")
    assert variants["rule"].tolist() == ["released", "insightface", "opensphere", "facexzoo"]
    # the released rule is the LFW protocol (the accuracy table rounds to 2 decimals)
    assert abs(variants["verification_acc"].iloc[0] - table["lfw_acc"].iloc[0]) <= 0.005
    assert variants["verification_acc"].isna().tolist() == [False, True, False, False]  # 8 pairs: no 10 folds
    assert pd.read_csv(run / "tables" / "ijb.csv")["method"].tolist() == ["softmax"]
    assert yaml.safe_load((run / "config.yaml").read_text())["run"] == "tiny"
    assert json.loads((run / "report.json").read_text())["run"] == "tiny"


@pytest.mark.slow
def test_every_job_is_benchmarked_and_costed(tiny_run):
    """Each job wrote benchmarks/<rule>/<wildcards>.tsv; tables/resources.csv has a row for each."""
    _, run = tiny_run
    resources = pd.read_csv(run / "tables" / "resources.csv", keep_default_na=False)
    rules = set(resources["rule"])
    assert {
        "synthesize",
        "align",
        "train",
        "lfw",
        "report",
        "claims",
        "tables_page",
        "evaluate_verification",
        "evaluate_ijb",
        "megaface",
        "ytf",
        "total",
    } <= rules
    train = resources[resources["rule"] == "train"]
    assert sorted(train["wildcards"]) == ["asoftmax-m4/seed0", "asoftmax-m4/seed1", "softmax/seed0", "toy-m4/seed0"]
    jobs = resources[resources["rule"] != "total"]
    assert len(jobs) == len(list((run / "benchmarks").rglob("*.tsv"))) - 1  # all but the table's own job
    assert (train["wall_s"].astype(float) > 0).all()
    assert "paper" in (run / "html" / "tables.html").read_text()


@pytest.mark.slow
def test_snakemake_report_shows_every_figure(tiny_run, tmp_path):
    """`snakemake --report` of the run, opened in headless Chromium: every figure listed and drawn."""
    spec = importlib.util.spec_from_file_location("check_report", REPO / "scripts" / "check-report.py")
    check_report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_report)
    configfile, run = tiny_run
    html = run / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--configfile", str(configfile), "--report", str(html)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert html.stat().st_size > 100_000
    browser = check_report.find_browser()
    if browser is None:
        pytest.skip(
            "no Chromium binary (chromium, chromium-browser, google-chrome or $CHROMIUM): "
            "the report was built but not rendered; apt-get install -y chromium"
        )
    figures = sorted(p.name for p in (run / "figures").glob("*.png"))
    assert len(figures) == 8
    assert check_report.check(html, figures, browser) == []


def test_invalid_config_stops_the_run_naming_the_key(tmp_path):
    config = tiny_config(tmp_path / "results")
    config["train"]["batch_sise"] = 8
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(tmp_path / "bad.yaml")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "batch_sise" in run.stdout + run.stderr
