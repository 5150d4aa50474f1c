"""A trained network on disk (`model.pt`: FC1 weights and how to rebuild the net) and its input transform."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from sphere import runtime
from sphere.errors import InputError
from sphere.models.registry import create_model


def to_input(batch: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC -> float NCHW in (x - 127.5) / 128, with the rows of `flip` mirrored, on the device
    (mirrored while still uint8: a quarter of the bytes, 2 ms of a 55 ms default training step)."""
    batch = torch.where(flip[:, None, None, None], batch.flip(2), batch)
    return batch.permute(0, 3, 1, 2).float().sub_(127.5).div_(128.0)


def save_model(
    weights: dict,
    model_name: str,
    width: float,
    feature_dim: int,
    input_size: tuple[int, int],
    out_dir: Path,
    status: dict,
) -> None:
    """The FC1 network for feature extraction (its weights and what `create_model` needs to rebuild it), and
    `status.json` saying how its training ended (both atomic)."""
    architecture = {
        "model_name": model_name,
        "width": width,
        "feature_dim": feature_dim,
        "input_size": list(input_size),
    }
    with runtime.atomic_path(out_dir / "model.pt") as tmp:
        torch.save({"model": weights, **architecture}, tmp)
    runtime.write_text(out_dir / "status.json", json.dumps(status) + "\n")


def read_model_state(path: Path | str, device: torch.device | str = "cpu") -> dict:
    """The dict `save_model` wrote; an unreadable or foreign file raises InputError naming it."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise InputError(f"{path}: model file not found (run `sphere train` first)") from None
    except Exception as error:  # truncated zip, pickle of other objects: not a model of this harness
        raise InputError(f"{path}: not a readable model saved by `sphere train` ({type(error).__name__})") from None
    if not isinstance(state, dict) or not {"model", "model_name", "width", "feature_dim", "input_size"} <= set(state):
        raise InputError(f"{path}: not a model saved by `sphere train` (keys model, model_name, width, ...)")
    return state


def load_model(path: Path | str, device: torch.device | str = "cpu") -> nn.Module:
    """The FC1 network saved by `train` (float32, whatever the file's precision), in eval mode."""
    state = read_model_state(path, device)
    model = create_model(
        state["model_name"],
        width=state["width"],
        feature_dim=state["feature_dim"],
        input_size=tuple(state["input_size"]),
    )
    model.load_state_dict(state["model"])
    return model.to(device).eval()


def export_model(model_path: Path | str, out_path: Path | str, half: bool = True, extra: dict | None = None) -> Path:
    """Copy a `model.pt` for distribution, its float weights cast to float16 when `half` (about half the
    bytes), with the entries of `extra` added (sphere.models.export: the preprocessing card); `load_model`
    reads either back into a float32 network."""
    state = {**read_model_state(model_path), **(extra or {})}
    if half:
        state["model"] = {k: v.half() if v.is_floating_point() else v for k, v in state["model"].items()}
    with runtime.atomic_path(out_path) as tmp:
        torch.save(state, tmp)
    return Path(out_path)
