"""The resolved config of a run (`<run>/config.yaml`): the text the DAG writes, and whether the file on
disk already holds it. Reading only: the Snakefile decides at parse time whether the config rule must
run, and a dry run writes nothing."""

from __future__ import annotations

from pathlib import Path

import yaml


def resolved_text(config: dict) -> str:
    """The config as the DAG writes it next to its outputs (key order kept)."""
    return yaml.safe_dump(config, sort_keys=False)


def is_current(config: dict, path: Path | str) -> bool:
    """True when `path` exists and holds exactly `resolved_text(config)`."""
    path = Path(path)
    try:
        return path.read_text() == resolved_text(config)
    except FileNotFoundError:
        return False
