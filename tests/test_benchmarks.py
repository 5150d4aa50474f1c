"""The benchmark registry (sphere.benchmarks): every reader of benchmarks takes its names and kinds from it."""

from pathlib import Path

import pytest
import yaml

from sphere import benchmarks
from sphere.benchmarks import BENCHMARKS, DAG_BENCHMARKS, KINDS, PROTOCOLS, Benchmark
from sphere.config import validate
from sphere.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def default_config() -> dict:
    return yaml.safe_load((REPO / "config" / "default.yaml").read_text())


@pytest.mark.parametrize("record", BENCHMARKS.values(), ids=lambda b: b.name)
def test_every_record_has_a_scorer_and_a_table(record):
    from sphere.config import typed
    from sphere.evaluate.run import SCORERS
    from sphere.report.outputs import evaluate_tables

    assert record.kind in KINDS and record.kind in SCORERS
    assert record.benchmark in PROTOCOLS
    if record.kind == "bin":
        assert record.file == f"{record.benchmark}.bin" and record.standard[0] == 10
    if record.dag:
        config = {"run": "r", "methods": {}, "tables": {}, "evaluate": {"benchmarks": [record.name]}}
        assert evaluate_tables(typed(config)) == [record.table]


def test_the_cli_offers_every_protocol():
    from sphere.cli import parser

    top = parser()
    verbs = next(a for a in top._actions if a.dest == "verb")
    choices = next(a for a in verbs.choices["evaluate"]._actions if a.dest == "benchmark").choices
    assert list(choices) == list(PROTOCOLS)


def test_a_new_bin_record_is_accepted_by_the_config_with_no_other_change(monkeypatch, default_config):
    record = Benchmark("my_set", "bin", "a user's .bin", standard=(10, 300), file="my_set.bin", dag=True)
    monkeypatch.setitem(BENCHMARKS, "my_set", record)
    monkeypatch.setattr(benchmarks, "DAG_BENCHMARKS", (*DAG_BENCHMARKS, "my_set"))
    cfg = {**default_config, "evaluate": {"benchmarks": ["lfw", "my_set"], "bin_root": "/data"}}
    assert validate(cfg, heads=False)["evaluate"]["benchmarks"] == ["lfw", "my_set"]
    with pytest.raises(ConfigError, match=r"evaluate.benchmarks\[1\]: unknown benchmark 'other'"):
        validate({**default_config, "evaluate": {"benchmarks": ["lfw", "other"]}}, heads=False)


def test_a_bin_set_beyond_the_synthetic_stand_in_needs_its_folder(default_config):
    with pytest.raises(ConfigError, match="'cfp_fp' needs evaluate.bin_root"):
        validate({**default_config, "evaluate": {"benchmarks": ["cfp_fp"]}}, heads=False)
