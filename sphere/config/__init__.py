"""Run configurations: YAML validated against workflow/schemas/config.schema.yaml (generated from the
dataclasses of `sphere.config.sections` by `sphere.config.schema`), resolved per method.

Importing this package does not import torch, numpy or jsonschema: loss names and their parameters come
from the torch-free catalogue `sphere.losses.catalog` (read from the head files' source).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from sphere.config.sections import RunConfig
from sphere.config.settings import TrainConfig
from sphere.errors import ConfigError
from sphere.losses.catalog import loss_names, loss_params

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


# Paths an optional benchmark section needs when the raw data are the user's folders.
FOLDER_SECTIONS = {
    "ytf": ("root", "landmarks", "splits"),
    "megaface": ("probe_root", "probe_landmarks", "probe_list", "distractor_root", "distractor_landmarks", "lists"),
}


def validate(config: dict, source: str = "config", heads: bool = True) -> dict:
    """Raise ConfigError naming the offending key for schema violations, unknown losses or parameters;
    `heads=False` skips building each loss head (checks.head_errors), the one check that imports torch."""
    import jsonschema  # here, not at import: the GPU image has no jsonschema and needs only TrainConfig

    schema = yaml.safe_load(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path))
    if errors:  # one line: the first problem, then the others
        lines = [f"{e.json_path.replace('$.', '', 1).replace('$', '<root>', 1)}: {e.message}" for e in errors]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        raise ConfigError(f"{source}: invalid configuration: {lines[0]}{more}" + "".join(f"; {x}" for x in lines[1:]))
    for name, method in config["methods"].items():
        where = f"{source}: methods.{name}"
        if method["loss"] not in loss_names():
            raise ConfigError(f"{where}.loss: unknown loss {method['loss']!r}; valid: {', '.join(loss_names())}")
        unknown = set(method.get("params", {})) - set(loss_params(method["loss"]))
        if unknown:
            raise ConfigError(
                f"{where}.params: unknown {sorted(unknown)} for {method['loss']!r}; "
                f"valid: {loss_params(method['loss'])}"
            )
    for table, methods in config.get("tables", {}).items():
        for name in set(methods) - set(config["methods"]):
            raise ConfigError(f"{source}: tables.{table}: method {name!r} is not defined under methods")
    for section in (*FOLDER_SECTIONS, "evaluate"):
        for name in set(config.get(section, {}).get("methods", [])) - set(config["methods"]):
            raise ConfigError(f"{source}: {section}.methods: method {name!r} is not defined under methods")
    evaluate_errors(config.get("evaluate"), config, source)
    kind = config.get("data", {}).get("source")
    if kind in ("folders", "recordio"):  # recordio: the training set from train_rec, the rest from folders
        train = ["train_rec"] if kind == "recordio" else ["train_root", "train_landmarks"]
        needed = {train[0], "test_root", "pairs"}
        if not config["data"].get("detect", False):  # detected landmarks are made by the DAG
            needed |= {"test_landmarks", *train[1:]}
        missing = needed - set(config["data"])
        if missing:
            raise ConfigError(f"{source}: data: source {kind!r} needs {sorted(missing)}")
        for section, keys in FOLDER_SECTIONS.items():
            missing = set(keys) - set(config.get(section, keys))
            if missing:
                raise ConfigError(f"{source}: {section}: data.source {kind!r} needs {sorted(missing)}")
    from sphere.config.checks import check

    check(config, source, heads=heads)  # loss parameters (declared ranges, then the head itself) and schedules
    return config


def evaluate_errors(section: dict | None, config: dict, source: str) -> None:
    """What each benchmark of `evaluate.benchmarks` (sphere.benchmarks) needs besides its name."""
    from sphere.benchmarks import BENCHMARKS, DAG_BENCHMARKS

    synthetic = config.get("data", {}).get("source", "synthetic") == "synthetic"
    section = section or {}
    for k, name in enumerate(section.get("benchmarks", [])):
        if name not in DAG_BENCHMARKS:
            raise ConfigError(
                f"{source}: evaluate.benchmarks[{k}]: unknown benchmark {name!r}; the DAG scores "
                f"{', '.join(DAG_BENCHMARKS)} (sphere/benchmarks.py)"
            )
        kind = BENCHMARKS[name].kind
        if kind == "videos" and "ytf" not in config:
            raise ConfigError(f"{source}: evaluate.benchmarks: {name!r} needs the ytf section")
        if kind == "bin" and not synthetic and "bin_root" not in section:
            raise ConfigError(f"{source}: evaluate.benchmarks: {name!r} needs evaluate.bin_root (its {name}.bin)")
        if kind == "bin" and synthetic and "bin_root" not in section and name != "lfw_bin":
            raise ConfigError(
                f"{source}: evaluate.benchmarks: {name!r} needs evaluate.bin_root (synthetic runs write lfw.bin only)"
            )
        if kind == "ijb" and not synthetic:
            raise ConfigError(
                f"{source}: evaluate.benchmarks: {name!r} is the synthetic stand-in; score a real "
                "IJB set with `sphere evaluate --benchmark ijbc`"
            )


def load_config(path: Path | str, heads: bool = True) -> dict:
    """The validated config of a YAML file (a UTF-8 BOM and CRLF line ends are fine). `heads=False` (verbs
    that build no head: generators, report, claims) skips the head build, which imports torch (2.5 s); the
    DAG's configs were checked in full when the Snakefile read them, and `sphere train` builds its head."""
    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if config is not None and not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (run, methods, ...), got {type(config).__name__}")
    return validate(config or {}, str(path), heads)


def method_seeds(cfg: RunConfig, method: str) -> list[int]:
    """The training seeds of a method (one training cell each): `methods.<m>.seeds`, else the top-level
    `seeds`, else the method's `train.seed` alone (its own block, the shared one, the default 0)."""
    spec = cfg.methods[method]
    if spec.seeds is not None:
        return list(spec.seeds)
    if cfg.seeds is not None:
        return list(cfg.seeds)
    return [method_train(cfg, method).seed]


def method_train(cfg: RunConfig, method: str) -> TrainConfig:
    """A method's training settings from the typed config: its `train` block over the shared one (defaults
    filled in), and its loss. The loss parameters stay empty: `train_config` merges them with the annealing."""
    if method not in cfg.methods:
        raise ConfigError(f"unknown method {method!r}; defined: {', '.join(cfg.methods)}")
    spec = cfg.methods[method]
    return dataclasses.replace(cfg.train, **spec.train, loss=spec.loss)


def train_config(config: dict, method: str, seed: int | None = None) -> TrainConfig:
    """The method's TrainConfig: dataclass defaults < the shared `train` block < the method's `train` block;
    `seed` (one of `method_seeds`) sets `train.seed`: initialisation and batch order. It reads the mapping, not
    `typed`: Snakemake compares the train rule's `settings` param (this config as a dict) by its repr, and
    `loss_params` keeps the YAML's key order there. Readers of the other settings take `method_train`."""
    if method not in config["methods"]:
        raise ConfigError(f"unknown method {method!r}; defined: {', '.join(config['methods'])}")
    spec = config["methods"][method]
    merged = {**config.get("train", {}), **spec.get("train", {})}
    accepted = loss_params(spec["loss"])
    annealing = {k: v for k, v in config.get("annealing", {}).items() if k in accepted}
    params = {**annealing, **spec.get("params", {})}
    if seed is not None:
        merged["seed"] = seed
    return dataclasses.replace(TrainConfig(), **merged, loss=spec["loss"], loss_params=params)


def evaluated_methods(cfg: RunConfig, protocol: str) -> list[str]:
    """The methods a protocol scores. Toy methods (3-d features, paper Fig. 5) are only drawn; LFW scores
    every other method; `ytf` and `megaface` score those their section lists, else the same, or none
    when the config has no such section."""
    toy = set(cfg.tables.toy)
    scored = [m for m in cfg.methods if m not in toy]
    if protocol == "lfw":
        return scored
    section = getattr(cfg, protocol)
    if section is None:
        return []
    return list(scored if section.methods is None else section.methods)


def build(cls: type, data: dict) -> Any:
    """A section dataclass from its (validated) mapping: keys left out take the field defaults, nested
    sections become their dataclasses, `methods` a dict of MethodConfig."""
    hints = typing.get_type_hints(cls)
    return cls(**{name: _value(hints[name], value) for name, value in data.items()})


def _value(hint: Any, value: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):  # X | None: the section when given
        hint = next((a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)), None)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return build(hint, value)
    args = typing.get_args(hint)
    item_type = args[1] if typing.get_origin(hint) is dict and len(args) == 2 else None
    if isinstance(item_type, type) and dataclasses.is_dataclass(item_type):
        return {key: build(item_type, item) for key, item in value.items()}
    return value


def typed(config: dict) -> RunConfig:
    """The run config as dataclasses, every default filled in (`typed(cfg).data.mtcnn_min_face`)."""
    return build(RunConfig, config)
