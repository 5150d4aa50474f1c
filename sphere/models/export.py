"""`sphere export-model --format pt|onnx|torchscript`: a trained model with its preprocessing card.

The card says everything a user needs to feed the model (docs/paper.md §3): input size, pixel mean and std
(x -> (x - 127.5) / 128), channel order, the alignment (the SphereFace 5-point template scaled to the crop),
the feature dimension, how face and mirrored-face features join at test time (the released rule's concat),
that training mirrored faces at random, and the SHA-256 of the source checkpoint. It travels inside the file:
the `.pt` dict's "card", ONNX metadata_props "sphere_card", a TorchScript extra file "sphere_card.json".
`sphere evaluate --model` reads it back (sphere.evaluate.models), so no preprocessing flag is needed.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from sphere import runtime
from sphere.errors import InputError
from sphere.models.io import export_model as export_pt
from sphere.models.io import load_model, read_model_state

FORMATS = ("pt", "onnx", "torchscript")
CARD = "sphere_card"  # sphere.evaluate.models.CARD reads this key
CARD_FILE = f"{CARD}.json"


def preprocessing_card(model_path: Path | str, state: dict) -> dict:
    """The card of a `sphere train` model.pt (`state`: its read_model_state dict)."""
    from sphere.align.similarity import template_for

    height, width = (int(v) for v in state["input_size"])
    return {
        "card": "sphere preprocessing card 1",
        "model_name": state["model_name"],
        "input_size": [height, width],
        "pixel_mean": 127.5,  # sphere.models.io.to_input
        "pixel_std": 128.0,
        "channels": "rgb",
        "layout": "NCHW float32",
        "alignment": {
            "method": "5-point similarity (cp2tform) onto the SphereFace template, docs/paper.md §3",
            "template_xy": template_for(height, width).round(4).tolist(),
            "crop": [height, width],
        },
        "feature_dim": int(state["feature_dim"]),
        "flip_fusion": "concat: features of the face and of its mirror image joined (the released rule)",
        "train_mirror": True,
        "source_sha256": runtime.sha256_file(model_path),
        "training": training_outcome(model_path),
    }


def training_outcome(model_path: Path | str) -> dict | None:
    """How the training ended (its status.json beside model.pt: ok, or diverged with the step of the weights kept),
    or None where the model has no status beside it."""
    status = Path(model_path).with_name("status.json")
    return json.loads(status.read_text()) if status.is_file() else None


UNKNOWN = {"status": "unknown", "message": "the shipped checkpoint does not record how its training ended"}


def ship(checkpoint: Path | str, model_out: Path | str, status_out: Path | str) -> dict:
    """A shipped checkpoint as a training cell of `score_shipped`: the file copied to `model_out`, and the training
    outcome its card records written to `status_out` (UNKNOWN for checkpoints exported before cards said it)."""
    import shutil

    import torch

    from sphere.errors import InputError

    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError) as error:
        raise InputError(f"{checkpoint}: not a sphere checkpoint ({error})") from None
    card = state.get("card") if isinstance(state, dict) else None
    outcome = (card or {}).get("training") or UNKNOWN
    shutil.copyfile(checkpoint, model_out)
    runtime.write_text(status_out, json.dumps({**outcome, "shipped": str(checkpoint)}) + "\n")
    return outcome


def export(model_path: Path | str, out_path: Path | str, fmt: str = "pt", half: bool = True) -> tuple[Path, dict]:
    """Write the model in `fmt` with its card inside; returns (path, card). `half` applies to `pt` only (ONNX
    and TorchScript are written in float32, what their runtimes take on a CPU)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    state = read_model_state(model_path)
    card = preprocessing_card(model_path, state)
    out_path = Path(out_path)
    if fmt == "pt":
        export_pt(model_path, out_path, half=half, extra={"card": card})
        return out_path, card
    model = load_model(model_path, "cpu")
    example = torch.zeros(2, 3, *card["input_size"])
    with runtime.atomic_path(out_path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporters' deprecation notices
        if fmt == "torchscript":
            traced = torch.jit.trace(model, example)
            torch.jit.save(traced, str(tmp), _extra_files={CARD_FILE: json.dumps(card)})
        else:
            _onnx(model, example, tmp, card)
    return out_path, card


def _onnx(model: torch.nn.Module, example: torch.Tensor, path: Path, card: dict) -> None:
    try:
        import onnx
    except ImportError:
        raise InputError("--format onnx needs the onnx package: pip install 'sphere[onnx]'") from None
    torch.onnx.export(
        model,
        (example,),
        str(path),
        dynamo=False,
        input_names=["input"],
        output_names=["features"],
        dynamic_axes={"input": {0: "n"}, "features": {0: "n"}},
    )
    proto = onnx.load(str(path))
    entry = proto.metadata_props.add()
    entry.key, entry.value = CARD, json.dumps(card)
    onnx.save(proto, str(path))
