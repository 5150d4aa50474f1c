"""Checks of a config beyond its schema: every value a job would reject later stops the run at its start
(`sphere check-config`, the Snakefile's first lines), naming the key and the allowed values.

- loss parameters against the ranges each head's file declares (`sphere.losses.catalog`, as `create_head`);
- the schedule of every method as it will run (shared `train` block, then the method's own overrides):
  lr_steps strictly increasing and below iterations, intervals positive, a P x K batch for pair losses;
- the device name;
- the synthetic generators' settings as their dataclasses build them (rules between keys, e.g.
  test_identities >= 2 * folds), so `sphere synth` cannot refuse them later;
- with `paths=True` (check-config), the user's files and folders that must exist.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from sphere.config.settings import TrainConfig
from sphere.config.synthetic import MegaFaceSynthConfig, SyntheticConfig, YTFSynthConfig
from sphere.errors import ConfigError
from sphere.losses.catalog import loss_names, needs_pairs, param_errors

DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
DEFAULTS = dataclasses.asdict(TrainConfig())  # the settings a key left out of the config takes


def setting(config: dict, method: str, key: str) -> tuple[Any, str]:
    """A method's effective train setting and the key it comes from (its override, the shared block, a default)."""
    own = config["methods"][method].get("train", {})
    if key in own:
        return own[key], f"methods.{method}.train.{key}"
    if key in config.get("train", {}):
        return config["train"][key], f"train.{key}"
    return DEFAULTS[key], f"train.{key} (default {DEFAULTS[key]})"


def schedule_errors(config: dict, method: str) -> list[str]:
    """What is wrong with a method's schedule, each message naming its key."""
    errors = []
    steps, steps_key = setting(config, method, "lr_steps")
    iterations, iterations_key = setting(config, method, "iterations")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        errors.append(f"{steps_key}: {steps} must be strictly increasing")
    late = [s for s in steps if s >= iterations]
    if late:
        errors.append(
            f"{steps_key}: step(s) {late} not below {iterations_key} = {iterations}; a step there "
            "would never lower the learning rate"
        )
    for key in ("log_every", "checkpoint_every"):
        value, where = setting(config, method, key)
        if value < 1:
            errors.append(f"{where}: {value} must be a positive number of steps")
    loss = config["methods"][method]["loss"]
    if loss in loss_names() and needs_pairs(loss):
        batch, batch_key = setting(config, method, "batch_size")
        k, k_key = setting(config, method, "images_per_identity")
        if batch < 2 * k:
            errors.append(
                f"{batch_key}: {batch} holds fewer than 2 identities of {k_key} = {k} images; "
                f"{config['methods'][method]['loss']} needs negative pairs (batch_size >= {2 * k})"
            )
    device, device_key = setting(config, method, "device")
    if not DEVICE.match(str(device)):
        errors.append(f"{device_key}: {device!r} is not a device; use auto, cpu, cuda, cuda:N or mps")
    return errors


def head_errors(config: dict, method: str, build: bool = True) -> list[str]:
    """Parameters outside their head's declared ranges, else (with `build`) what only the head itself refuses (e.g. a
    released option it does not have), each naming the key. Only the build imports torch."""
    spec = config["methods"][method]
    errors = [
        f"methods.{method}.params.{key}: {message}"
        for key, message in param_errors(spec["loss"], spec.get("params", {}))
    ]
    if build and not errors:
        from sphere.config import train_config
        from sphere.losses import create_head

        try:
            create_head(spec["loss"], 2, 2, **train_config(config, method).loss_params)
        except ValueError as error:
            errors.append(f"methods.{method}.params: {error}")
    return errors


GENERATORS = {"synthetic": SyntheticConfig, "ytf.synthetic": YTFSynthConfig, "megaface.synthetic": MegaFaceSynthConfig}


def generator_errors(config: dict) -> list[str]:
    """What a synthetic generator would refuse in its section (the rules between its keys)."""
    errors = []
    for key, cls in GENERATORS.items():
        section, *sub = key.split(".")
        if section not in config:
            continue
        try:
            cls(**(config[section].get(sub[0], {}) if sub else config[section]))
        except ValueError as error:
            errors.append(f"{key}: {str(error).split(': ', 1)[-1]}")
    return errors


def semantic_errors(config: dict, heads: bool = True) -> list[str]:
    """Every loss-parameter, schedule and generator problem of the config (empty when it can run); `heads`:
    also build each method's head (head_errors)."""
    errors = []
    for name in config["methods"]:
        errors += head_errors(config, name, heads) + schedule_errors(config, name)
    return errors + generator_errors(config)


def required_paths(config: dict) -> dict[str, str]:
    """key -> path of every user file or folder a `data.source: folders` (or `recordio`) run reads."""
    kind = config.get("data", {}).get("source")
    if kind not in ("folders", "recordio"):
        return {}
    data = config["data"]
    keys = ["train_rec", "train_idx"] if kind == "recordio" else ["train_root"]
    keys += ["test_root", "pairs", "exclude_identities"]
    keys += [] if data.get("detect") else ["test_landmarks"] + (["train_landmarks"] if kind == "folders" else [])
    paths = {}
    for key in keys:
        value = data.get(key)
        for i, path in enumerate(value if isinstance(value, list) else [value] if value else []):
            paths[f"data.{key}" + (f"[{i}]" if isinstance(value, list) else "")] = path
    from sphere.config import FOLDER_SECTIONS

    for section, names in FOLDER_SECTIONS.items():
        for key in names if section in config else ():
            if key in config[section]:
                paths[f"{section}.{key}"] = config[section][key]
    if "noise_list" in config.get("megaface", {}):
        paths["megaface.noise_list"] = config["megaface"]["noise_list"]
    return paths


def check(config: dict, source: str, paths: bool = False, heads: bool = True) -> None:
    """Raise one ConfigError listing every problem (one line, `; `-separated), or return."""
    errors = semantic_errors(config, heads)
    if paths:
        missing = [(key, path) for key, path in required_paths(config).items() if not Path(path).exists()]
        errors += [f"{key}: {path} not found" for key, path in missing]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{source}: {errors[0]}{more}" + "".join(f"; {e}" for e in errors[1:]))
