"""Run configurations: YAML validated against workflow/schemas/config.schema.yaml, resolved per method."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import jsonschema
import yaml

from sphere.losses import HEADS, head_params
from sphere.train import TrainConfig

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    pass


def validate(config: dict, source: str = "config") -> dict:
    """Raise ConfigError naming the offending key for schema violations, unknown losses or parameters."""
    schema = yaml.safe_load(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        lines = [f"{source}: {e.json_path.replace('$', '<root>', 1)}: {e.message}" for e in errors]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    for name, method in config["methods"].items():
        where = f"{source}: methods.{name}"
        if method["loss"] not in HEADS:
            raise ConfigError(f"{where}.loss: unknown loss {method['loss']!r}; valid: {', '.join(sorted(HEADS))}")
        unknown = set(method.get("params", {})) - set(head_params(method["loss"]))
        if unknown:
            raise ConfigError(f"{where}.params: unknown {sorted(unknown)} for {method['loss']!r}; "
                              f"valid: {head_params(method['loss'])}")
    for table, methods in config.get("tables", {}).items():
        for name in set(methods) - set(config["methods"]):
            raise ConfigError(f"{source}: tables.{table}: method {name!r} is not defined under methods")
    if config.get("data", {}).get("source") == "folders":
        needed = {"train_root", "train_landmarks", "test_root", "test_landmarks", "pairs"}
        missing = needed - set(config["data"])
        if missing:
            raise ConfigError(f"{source}: data: source 'folders' needs {sorted(missing)}")
    return config


def load_config(path: Path | str) -> dict:
    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return validate(config or {}, str(path))


def train_config(config: dict, method: str) -> TrainConfig:
    """The method's TrainConfig: dataclass defaults < the shared `train` block < the method's `train` block."""
    if method not in config["methods"]:
        raise ConfigError(f"unknown method {method!r}; defined: {', '.join(config['methods'])}")
    spec = config["methods"][method]
    merged = {**config.get("train", {}), **spec.get("train", {})}
    accepted = head_params(spec["loss"])
    annealing = {k: v for k, v in config.get("annealing", {}).items() if k in accepted}
    params = {**annealing, **spec.get("params", {})}
    return dataclasses.replace(TrainConfig(), **merged, loss=spec["loss"], loss_params=params)


def write_resolved(config: dict, path: Path) -> Path:
    """Write the config next to its outputs, leaving the file (and its mtime) alone when unchanged."""
    path = Path(path)
    text = yaml.safe_dump(config, sort_keys=False)
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path
