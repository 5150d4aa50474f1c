"""The resolved config of a run (`<run>/config.yaml`): the text the DAG writes, whether the file on disk
already holds it, and the write itself (atomic). The Snakefile reads at parse time and writes only in a real run
(its `resolved_config` job where the file is missing, `onstart` where it is stale), so a dry run writes nothing."""

from __future__ import annotations

from pathlib import Path

import yaml

from sphere.runtime import write_text


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


def write_resolved(config: dict, path: Path | str) -> None:
    """Write `resolved_text(config)` to `path` atomically (a reader never sees half a file)."""
    write_text(path, resolved_text(config))
