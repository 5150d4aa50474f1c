"""RunPaths: every file of a run named in one place, usable as a Snakemake pattern, torch-free."""

import subprocess
import sys
from pathlib import Path

from sphere.config.sections import RunConfig, TablesConfig
from sphere.paths import RunPaths, markdown_of, seeds_of


def test_cells_and_patterns_share_one_layout():
    paths = RunPaths("results/x")
    assert paths.model("softmax", 2) == Path("results/x/models/softmax/seed2/model.pt")
    assert str(paths.model("{method}", "{seed}")) == "results/x/models/{method}/seed{seed}/model.pt"
    assert paths.features("m", 0, "toy") == Path("results/x/features/toy/m/seed0.npy")
    assert paths.features("m", 0) == Path("results/x/features/m/seed0.npy")
    assert paths.metrics("m", 1, "lfw.json") == Path("results/x/metrics/m/seed1/lfw.json")
    assert paths.evaluate_result("m", "ijbc") == Path("results/x/metrics/m/evaluate/ijbc/ijbc.json")
    assert paths.checkpoint("m") == Path("results/x/checkpoints/m.pt")


def test_of_config_and_table_companions():
    paths = RunPaths.of(RunConfig(run="default", methods={}, tables=TablesConfig()))  # results: its default
    assert paths.root == Path("results/default") and paths.config == Path("results/default/config.yaml")
    run = RunConfig(run="r", results="/tmp/s", methods={}, tables=TablesConfig())
    assert RunPaths.of(run).summary == Path("/tmp/s/r/report.json")
    assert paths.table_md("budget") == markdown_of(paths.table("budget")) == Path("results/default/tables/budget.md")
    assert paths.seeds_table("budget") == seeds_of(paths.table("budget")) == paths.table("budget_seeds")


def test_benchmark_names_read_back_as_rule_and_wildcards():
    paths = RunPaths("r")
    assert paths.benchmark("report") == Path("r/benchmarks/report.tsv")
    assert paths.benchmark("train", "softmax", "seed0") == Path("r/benchmarks/train/softmax/seed0.tsv")
    assert paths.benchmark_job(paths.benchmark("train", "softmax", "seed0")) == ("train", "softmax/seed0")
    assert paths.benchmark_job(paths.benchmark("report")) == ("report", "")
    assert paths.log("train", "softmax", "seed0") == Path("r/logs/train_softmax_seed0.log")


def test_import_does_not_load_torch():
    code = "import sys, sphere.paths, sphere.report.outputs; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
