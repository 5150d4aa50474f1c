"""The JSON schema is generated from the config dataclasses; the committed file is that output, every
training setting is settable under `train:` and `methods.<m>.train:`, and the generators' own checks
refuse exactly what the schema refuses."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import jsonschema
import pytest
import yaml

from sphere.config import ConfigError, typed, validate
from sphere.config.schema import COMMAND, json_schema, render
from sphere.config.sections import ClaimsConfig, ReproduceConfig, RunConfig
from sphere.config.settings import MODELS, TrainConfig
from sphere.config.synthetic import MegaFaceSynthConfig, SyntheticConfig, YTFSynthConfig

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture
def default() -> dict:
    return yaml.safe_load((REPO / "config" / "default.yaml").read_text())


def test_committed_schema_is_the_generated_one():
    assert SCHEMA.read_text() == render(), f"{SCHEMA.relative_to(REPO)} is stale; regenerate it: {COMMAND}"


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(json_schema())


def sections(cls: type = RunConfig, seen: set | None = None) -> set[type]:
    """Every dataclass reachable from the run config (through annotations and override blocks)."""
    seen = set() if seen is None else seen
    seen.add(cls)
    for field in dataclasses.fields(cls):
        hint = typing.get_type_hints(cls)[field.name]
        for kind in (hint, *typing.get_args(hint), field.metadata.get("like")):
            if dataclasses.is_dataclass(kind) and kind not in seen:
                sections(kind, seen)
    return seen


def test_every_setting_has_a_description():
    assert len(sections()) >= 14
    missing = [
        f"{cls.__name__}.{f.name}" for cls in sections() for f in dataclasses.fields(cls) if not f.metadata.get("doc")
    ]
    assert not missing


YAML_TRAIN = [f.name for f in dataclasses.fields(TrainConfig) if f.metadata["yaml"]]


def test_every_training_setting_is_in_the_schema():
    assert set(json_schema()["$defs"]["train"]["properties"]) == set(YAML_TRAIN)
    assert {"precision", "compile", "channels_last", "init", "param_multipliers"} <= set(YAML_TRAIN)
    method = json_schema()["properties"]["methods"]["additionalProperties"]["properties"]["train"]
    assert method["$ref"] == json_schema()["properties"]["train"]["$ref"] == "#/$defs/train"


@pytest.mark.parametrize("where", ["shared", "method"])
def test_runtime_settings_are_settable_from_yaml(default, where):
    values = {
        "precision": "bf16",
        "compile": "off",
        "channels_last": False,
        "init": "pytorch",
        "param_multipliers": "none",
        "threads": 2,
        "momentum": 0.5,
    }
    block = default["train"] if where == "shared" else default["methods"]["softmax"].setdefault("train", {})
    block.update(values)
    cfg = validate(default)
    from sphere.config import train_config

    resolved = train_config(cfg, "softmax")
    assert {k: getattr(resolved, k) for k in values} == values
    block["precision"] = "fp16"
    with pytest.raises(ConfigError, match=r"train\.precision: 'fp16' is not one of"):
        validate(default)


def test_model_choices_are_the_registered_networks():
    from sphere.models import MODELS as REGISTERED

    assert set(MODELS) == set(REGISTERED)


GENERATORS = {"synthetic": SyntheticConfig, "ytf.synthetic": YTFSynthConfig, "megaface.synthetic": MegaFaceSynthConfig}


def bounded(cls: type) -> list[tuple[str, float]]:
    """(field, lowest accepted value) of every field with a lower bound."""
    return [(f.name, f.metadata["ge"]) for f in dataclasses.fields(cls) if f.metadata.get("ge") is not None]


@pytest.mark.parametrize("section,field,low", [(s, f, low) for s, cls in GENERATORS.items() for f, low in bounded(cls)])
def test_generator_and_schema_refuse_the_same_values(default, section, field, low):
    """Just below a bound both refuse; at it, the schema accepts (the generator may still apply a rule
    between keys, e.g. test_identities >= 2 * folds)."""
    node = default
    for key in section.split("."):
        node = node.setdefault(key, {})
    cls = GENERATORS[section]
    hint = typing.get_type_hints(cls)[field]
    below = low - (1 if int in (hint, *typing.get_args(hint)) else 0.5)
    with pytest.raises(ValueError, match=field):
        cls(**{field: below})
    node[field] = below
    with pytest.raises(ConfigError, match=rf"{section}\.{field}: .* less than the minimum"):
        validate(default)


def test_raw_size_bound_is_one_value_for_every_generator():
    assert {dict(bounded(cls))["raw_size"] for cls in GENERATORS.values()} == {32}


def test_a_rule_between_generator_keys_stops_the_config(default):
    default["synthetic"]["folds"] = 200
    with pytest.raises(ConfigError, match=r"synthetic: test_identities must be >= 2 \* folds"):
        validate(default)


def test_typed_fills_every_default(default):
    run = typed(validate(default))
    assert run.data.mtcnn_min_face == 20 and run.data.source == "synthetic"
    assert run.synthetic.train_identities == 400 and run.synthetic.jpeg_quality == (40, 95)
    assert run.ytf.synthetic.identities == 80 and run.megaface.sizes == [10, 100, 1000]
    assert run.train.model == "sphereface4" and run.train.momentum == TrainConfig().momentum
    assert run.methods["toy-m1"].store == "toy" and run.methods["softmax"].seeds == [0, 1, 2]
    assert run.claims.min_effect == 0.5 and run.tables.budget == []
    del default["ytf"], default["evaluate"]
    assert typed(validate(default)).ytf is None


def test_claims_threshold_and_reproduce_tolerance_default_once(default):
    """The claims threshold and the reproduce tolerance have one default, their section's field; the report and
    `sphere reproduce` read them from the typed config, so a config's value replaces it."""
    del default["claims"], default["reproduce"]
    run = typed(validate(default, heads=False))
    assert run.claims.min_effect == ClaimsConfig().min_effect
    assert run.reproduce.tolerance == ReproduceConfig().tolerance
    default["claims"], default["reproduce"] = {"min_effect": 0.25}, {"tolerance": 2.5}
    run = typed(validate(default, heads=False))
    assert (run.claims.min_effect, run.reproduce.tolerance) == (0.25, 2.5)
