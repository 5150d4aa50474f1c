from pathlib import Path

import pytest
import yaml

from sphere.config import ConfigError, load_config, train_config, validate

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path, config):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def default():
    return yaml.safe_load((REPO / "config" / "default.yaml").read_text())


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_shipped_configs_are_valid(name):
    load_config(REPO / "config" / name)


def test_unknown_key_is_named(tmp_path, default):
    default["train"]["learning_rate"] = 0.1
    with pytest.raises(ConfigError, match=r"train.*learning_rate"):
        load_config(write(tmp_path, default))


def test_bad_value_is_named(tmp_path, default):
    default["train"]["batch_size"] = -3
    with pytest.raises(ConfigError, match=r"\$?\.?train\.batch_size"):
        load_config(write(tmp_path, default))


def test_unknown_loss_and_param_are_named(tmp_path, default):
    default["methods"]["softmax"]["loss"] = "softmx"
    with pytest.raises(ConfigError, match=r"methods.softmax.loss: unknown loss 'softmx'; valid: .*asoftmax"):
        load_config(write(tmp_path, default))
    default["methods"]["softmax"] = {"loss": "asoftmax", "params": {"margin": 4}}
    with pytest.raises(ConfigError, match=r"margin"):
        load_config(write(tmp_path, default))


def test_method_settings_override_shared_ones(default):
    default["methods"]["asoftmax-m4"]["train"] = {"model": "sphereface20"}
    cfg = train_config(default, "asoftmax-m4")
    assert cfg.model == "sphereface20" and cfg.width == default["train"]["width"]
    assert cfg.loss_params == {**default["annealing"], "m": 4}
    assert train_config(default, "softmax").loss_params == {}  # softmax takes no annealing


def test_evaluate_section_is_checked(tmp_path, default):
    default["evaluate"]["methods"] = ["softmax", "nonexistent"]
    with pytest.raises(ConfigError, match=r"evaluate.methods: method 'nonexistent'"):
        load_config(write(tmp_path, default))
    default["evaluate"] = {"benchmarks": ["ijbb"]}
    with pytest.raises(ConfigError, match=r"evaluate"):
        load_config(write(tmp_path, default))
    default["evaluate"] = {"benchmarks": ["ytf"]}
    del default["ytf"]
    with pytest.raises(ConfigError, match=r"'ytf' needs the ytf section"):
        load_config(write(tmp_path, default))


@pytest.mark.parametrize(
    "loss,params,match",
    [
        ("lsoftmax", {"gradient": "released"}, "methods.bad.params: gradient 'released' is not available for lsoftmax"),
        ("asoftmax", {"m": 5}, "methods.bad.params: gradient 'released' exists for m in"),
        ("asoftmax", {"renormalise": False}, "methods.bad.params: gradient 'released' needs renormalised"),
    ],
)
def test_released_option_a_head_cannot_take_stops_before_any_job(loss, params, match):
    config = yaml.safe_load((REPO / "config" / "default.yaml").read_text())
    config["methods"]["bad"] = {"loss": loss, "params": params}
    with pytest.raises(ConfigError, match=match):
        validate(config)


def test_seeds_top_level_per_method_and_default(tmp_path, default):
    from sphere.config import method_seeds, typed

    assert method_seeds(typed(default), "asoftmax-m4") == [0, 1, 2] and method_seeds(typed(default), "lsoftmax") == [0]
    del default["seeds"]
    default["train"]["seed"] = 7
    assert method_seeds(typed(default), "lsoftmax") == [7]  # no seeds key: the train.seed alone, as before seeds
    assert train_config(default, "asoftmax-m4", 2).seed == 2 and train_config(default, "lsoftmax").seed == 7
    default["methods"]["lsoftmax"].setdefault("train", {})["seed"] = 3
    assert method_seeds(typed(default), "lsoftmax") == [3]  # the method's own train.seed first
    default["seeds"] = [0, 0]
    with pytest.raises(ConfigError, match="seeds"):
        load_config(write(tmp_path, default))


@pytest.mark.parametrize("name", sorted(str(p.relative_to(REPO / "config")) for p in (REPO / "config").rglob("*.yaml")))
def test_method_train_is_train_config_but_its_loss_params(name):
    """The typed view of a method's settings (the report's) and the mapping's (the train rule's params) agree."""
    import dataclasses

    from sphere.config import method_train, typed

    config = load_config(REPO / "config" / name, heads=False)
    run = typed(config)
    for method in config["methods"]:
        assert method_train(run, method) == dataclasses.replace(train_config(config, method), loss_params={})


def test_evaluated_methods_read_the_typed_sections(default):
    from sphere.config import evaluated_methods, typed

    scored = [m for m in default["methods"] if m not in default["tables"]["toy"]]
    assert evaluated_methods(typed(default), "lfw") == scored
    default["ytf"].pop("methods", None)
    default["megaface"]["methods"] = []
    run = typed(default)
    assert evaluated_methods(run, "ytf") == scored and evaluated_methods(run, "megaface") == []
    del default["ytf"]
    assert evaluated_methods(typed(default), "ytf") == []


def test_heads_false_skips_only_the_head_build(tmp_path, default):
    """A released option the head refuses passes `heads=False` (the range table still applies)."""
    default["methods"]["bad"] = {"loss": "asoftmax", "params": {"renormalise": False}}
    path = write(tmp_path, default)
    assert "bad" in load_config(path, heads=False)["methods"]
    with pytest.raises(ConfigError, match="needs renormalised"):
        load_config(path)
    default["methods"]["bad"] = {"loss": "asoftmax", "params": {"m": 9}}
    with pytest.raises(ConfigError, match=r"methods.bad.params.m"):
        load_config(write(tmp_path, default), heads=False)
