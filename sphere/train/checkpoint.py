"""Training checkpoints that survive a kill, a full disk and a corrupted file (docs/formats.md, Refused input and
atomic writes).

`checkpoint.pt` is written to a temporary file and moved into place; the one it replaces is kept as
`checkpoint.prev.pt`; `checkpoint.sha256` lists the SHA-256 of both. On resume a checkpoint must match
its listed sum, load with `weights_only`, hold every part of the training state and fit the network
and head being resumed. One that does not is set aside as `<name>.corrupt` with a warning, and training
resumes from the previous one, or from scratch when none is good: never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

from sphere.runtime import sha256_file, write_error, write_text

CHECKPOINT, PREVIOUS, SUMS = "checkpoint.pt", "checkpoint.prev.pt", "checkpoint.sha256"
REQUIRED = ("model", "head", "optimizer", "sampler", "step", "settings")


def known_sums(out_dir: Path) -> list[str] | None:
    """The sums of the checkpoints written last (newest first); None where no sum file exists (older runs)."""
    try:
        return (Path(out_dir) / SUMS).read_text().split()
    except OSError:
        return None


def save_checkpoint(state: dict, out_dir: Path) -> None:
    """Write `checkpoint.pt` atomically, keeping the one it replaces as `checkpoint.prev.pt`.

    The sum file lists the new and the current checkpoint before either moves, so at every instant a kill
    can hit, each checkpoint file on disk is either listed or the previous of a listed, complete one.
    """
    out_dir = Path(out_dir)
    current, previous, tmp = out_dir / CHECKPOINT, out_dir / PREVIOUS, out_dir / ".checkpoint.pt.tmp"
    try:
        torch.save(state, tmp)
        sums = [sha256_file(tmp)]
        if current.exists():
            listed = known_sums(out_dir)
            sums.append(listed[0] if listed else sha256_file(current))
        write_text(out_dir / SUMS, "\n".join(sums) + "\n")
        if current.exists():
            os.replace(current, previous)
        os.replace(tmp, current)
    except OSError as error:
        raise write_error(current, error) from None
    finally:
        tmp.unlink(missing_ok=True)


def shapes(state_dict: dict) -> dict[str, tuple]:
    return {k: tuple(v.shape) for k, v in state_dict.items() if isinstance(v, torch.Tensor)}


def problem(path: Path, sums: list[str] | None, reference: dict[str, dict], device) -> tuple[str | None, dict]:
    """(why the checkpoint cannot be resumed or None, its state)."""
    if sums is not None and sha256_file(path) not in sums:
        return f"SHA-256 does not match {SUMS} (truncated or altered)", {}
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as error:  # truncated zip, bad pickle, foreign file: all mean "not resumable"
        return f"does not load ({type(error).__name__}: {' '.join(str(error).split())[:200]})", {}
    if not isinstance(state, dict) or any(k not in state for k in REQUIRED):
        return f"lacks parts of the training state (needs {', '.join(REQUIRED)})", {}
    for part, expected in reference.items():
        if not isinstance(state[part], dict) or shapes(state[part]) != shapes(expected):
            return f"its {part} weights do not fit the {part} being trained", {}
    return None, state


def load_checkpoint(
    out_dir: Path, device, reference: dict[str, dict] | None = None, set_aside: bool = True
) -> dict | None:
    """The newest good checkpoint's state, or None (train from scratch). Bad ones are renamed `.corrupt`
    (when `set_aside`; other DDP processes only skip them) with a warning on stderr."""
    out_dir = Path(out_dir)
    sums = known_sums(out_dir)
    for name in (CHECKPOINT, PREVIOUS):
        path = out_dir / name
        if not path.exists():
            continue
        reason, state = problem(path, sums, reference or {}, device)
        if reason is None:
            if name == PREVIOUS:
                print(f"sphere train: resuming from {path} (step {int(state['step'])})", file=sys.stderr)
            return state
        if set_aside:
            os.replace(path, path.with_name(name + ".corrupt"))
        print(f"sphere train: warning: {path} {reason}; set aside as {name}.corrupt", file=sys.stderr)
    return None


def discard_checkpoints(out_dir: Path) -> None:
    """Remove this run's checkpoints (they belong to other settings)."""
    for name in (CHECKPOINT, PREVIOUS, SUMS):
        (Path(out_dir) / name).unlink(missing_ok=True)
