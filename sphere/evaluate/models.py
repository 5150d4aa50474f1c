"""Face embedders for `sphere evaluate`: a sphere `model.pt`, a TorchScript file or an ONNX model
(onnxruntime, CUDA provider first where available), each called on uint8 RGB N x H x W x 3 crops.

A sphere model knows its input size and preprocessing ((x - 127.5) / 128, RGB; docs/paper.md §3), and a model
written by `sphere export-model` (any format) carries them in its preprocessing card (sphere.models.export). Other
models take them as options: input size, pixel mean and std, channel order (`rgb` or `bgr`); an ONNX model with a
fixed input shape says its size. Every output is checked before it is scored: N x D, D >= 2, finite.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sphere.errors import InputError, MissingFile
from sphere.runtime import pick_device

if TYPE_CHECKING:  # torch is imported where a model runs: scoring given features needs none (2 s a process)
    import torch


@dataclass
class Preprocess:
    size: tuple[int, int] = (112, 112)  # (height, width)
    mean: float = 127.5
    std: float = 128.0
    channels: str = "rgb"

    def __call__(self, images: np.ndarray) -> np.ndarray:
        x = images[..., ::-1] if self.channels == "bgr" else images
        return (np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float32) - self.mean) / self.std


CARD = "sphere_card"  # the preprocessing card's key: ONNX metadata_props, TorchScript `sphere_card.json`, .pt "card"
CARD_FILE = f"{CARD}.json"
KNOWN = ("size", "mean", "std", "channels")  # the preprocessing a card (or a flag) sets
MAX_SIDE = 4096  # largest --input-size side taken (face models take ~100-300 px)


def check_output(out: np.ndarray, n: int, source: str) -> np.ndarray:
    """The model's output for a batch of `n` images as an n x D float matrix, D >= 2 and finite; trailing
    singleton axes (n x D x 1 x 1, a convolutional head) are dropped. Anything else is an InputError."""
    out = np.asarray(out)
    if out.ndim > 2 and all(s == 1 for s in out.shape[2:]):
        out = out.reshape(out.shape[:2])
    if out.ndim != 2 or out.shape[0] != n or out.shape[1] < 2:
        raise InputError(
            f"{source}: the model returned shape {tuple(out.shape)} for a batch of {n} images; an embedder must "
            f"return {n} x D features with D >= 2"
        )
    bad = int((~np.isfinite(out).all(axis=1)).sum())
    if bad:
        raise InputError(f"{source}: the model returned non-finite features (NaN or inf) for {bad} of {n} images")
    return out.astype(np.float32, copy=False)


class Embedder:
    """Features of face crops and of their mirror images: `embed(images) -> (face, flip)`."""

    preprocess: Preprocess
    kind: str
    source: str = "model"
    notes: list[str]

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _run(self, x: np.ndarray) -> np.ndarray:
        try:
            out = self.forward(x)
        except InputError:
            raise
        except Exception as error:  # torch RuntimeError, onnxruntime's own types: a wrong input size or layout
            h, w = self.preprocess.size
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            why = lines[-1] if lines else type(error).__name__  # TorchScript puts the cause last
            raise InputError(
                f"{self.source}: the model failed on a {len(x)} x 3 x {h} x {w} batch (is --input-size {h} {w} "
                f"right?): {why}"
            ) from None
        return check_output(out, len(x), self.source)

    def embed(self, images: np.ndarray, batch_size: int = 128) -> tuple[np.ndarray, np.ndarray]:
        face, flip = [], []
        for s in range(0, len(images), batch_size):
            batch = self.preprocess(images[s : s + batch_size])
            face.append(self._run(batch))
            flip.append(self._run(np.ascontiguousarray(batch[..., ::-1])))
        if not face:
            raise InputError("no images to embed")
        return np.concatenate(face).astype(np.float32), np.concatenate(flip).astype(np.float32)


class TorchEmbedder(Embedder):
    def __init__(
        self, module: torch.nn.Module, preprocess: Preprocess, device: torch.device, kind: str, source: str = "model"
    ) -> None:
        self.module, self.preprocess, self.device, self.kind = module.eval(), preprocess, device, kind
        self.source, self.notes = source, []

    def forward(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.module(torch.from_numpy(x).to(self.device))
        out = out[0] if isinstance(out, (tuple, list)) else out
        if not isinstance(out, torch.Tensor):
            raise InputError(f"{self.source}: the model returned a {type(out).__name__}, not a feature tensor")
        return out.float().cpu().numpy()


class OnnxEmbedder(Embedder):
    def __init__(self, path: Path, device: str) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise InputError(f"{path}: ONNX models need onnxruntime: pip install 'sphere[onnx]'") from None
        available = ort.get_available_providers()
        wanted = (["CUDAExecutionProvider"] if device in ("auto", "cuda") else []) + ["CPUExecutionProvider"]
        providers = [p for p in wanted if p in available]
        try:
            self.session = ort.InferenceSession(str(path), providers=providers)
        except Exception as error:  # onnxruntime raises its own exception types
            raise InputError(f"{path}: not a loadable ONNX model: {str(error).splitlines()[0]}") from None
        spec = self.session.get_inputs()[0]
        self.input_name = spec.name
        self.fixed_batch = spec.shape[0] if isinstance(spec.shape[0], int) else None
        dims = list(spec.shape[2:4]) if len(spec.shape) == 4 else []
        self.fixed_size = tuple(dims) if len(dims) == 2 and all(isinstance(d, int) and d > 0 for d in dims) else None
        self.card = self.session.get_modelmeta().custom_metadata_map.get(CARD)
        self.kind, self.source, self.notes = f"onnx ({self.session.get_providers()[0]})", str(path), []

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.fixed_batch is None:
            return self.session.run(None, {self.input_name: x})[0]
        outs = []
        for s in range(0, len(x), self.fixed_batch):  # a model exported with a fixed batch: pad the last one
            part = x[s : s + self.fixed_batch]
            padded = np.concatenate([part, np.repeat(part[-1:], self.fixed_batch - len(part), 0)])
            outs.append(check_output(self.session.run(None, {self.input_name: padded})[0], len(padded), self.source))
        return np.concatenate(outs)[: len(x)]


def read_card(text: str | bytes | None, path: Path) -> dict:
    """The preprocessing card `sphere export-model` stores in a model (empty when there is none)."""
    if not text:
        return {}
    try:
        card = json.loads(text)
        return {
            "size": tuple(int(v) for v in card["input_size"]),
            "mean": float(card["pixel_mean"]),
            "std": float(card["pixel_std"]),
            "channels": str(card["channels"]),
        }
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: its {CARD} metadata is not a sphere preprocessing card: {error}") from None


def resolve(
    path: Path, card: dict, flags: dict, fixed_size: tuple[int, int] | None, kind: str
) -> tuple[Preprocess, list[str]]:
    """The preprocessing a model gets: the flags the user gave, else the model's card, else what the model
    fixes (its input size), else Preprocess's defaults for mean, std and channels. Returns the notes to print:
    a flag that overrides the card. A size no source gives, or a flag that contradicts the model's fixed
    input size, is an InputError naming both sizes."""
    notes = []
    flags = {k: v for k, v in flags.items() if v is not None}
    for key in set(flags) - set(KNOWN):
        raise InputError(f"unknown preprocessing option {key!r}")
    if "size" in flags:
        size = tuple(int(v) for v in flags["size"])
        if len(size) != 2 or min(size) < 1 or max(size) > MAX_SIDE:
            raise InputError(
                f"--input-size: got {' '.join(map(str, size))}; expected two positive integers H W "
                f"(at most {MAX_SIDE}: crops that size would not fit in memory)"
            )
        flags["size"] = size
    if fixed_size is not None and "size" in flags and flags["size"] != tuple(fixed_size):
        h, w = fixed_size
        raise InputError(
            f"{path}: the model takes {h}x{w} inputs but --input-size says {flags['size'][0]}x{flags['size'][1]}"
        )
    chosen = {}
    for key in KNOWN:
        if key in flags:
            if key in card and card[key] != flags[key]:
                notes.append(f"{path}: --{FLAG[key]} {_show(flags[key])} overrides the model card's {_show(card[key])}")
            chosen[key] = flags[key]
        elif key in card:
            chosen[key] = card[key]
    if "size" not in chosen:
        if fixed_size is None:
            raise InputError(
                f"{path}: a {kind} model does not say its input size and has no sphere card: give --input-size H W"
            )
        chosen["size"] = tuple(fixed_size)
    return Preprocess(**chosen), notes


FLAG = {"size": "input-size", "mean": "pixel-mean", "std": "pixel-std", "channels": "channels"}


def _show(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def load_embedder(
    path: Path | str,
    preprocess: Preprocess | None = None,
    device: str = "auto",
    model_format: str = "auto",
    flags: dict | None = None,
) -> Embedder:
    """An embedder for a sphere model.pt, a TorchScript file or an .onnx (format from the suffix/content).

    Preprocessing: `preprocess` when given (all of it), else `resolve` of the user's `flags` (keys of KNOWN,
    None where not given) over the model's card and its fixed input size."""
    path = Path(path)
    if not path.is_file():
        raise MissingFile(path, "model file not found")
    if preprocess is not None:
        flags = {
            "size": preprocess.size,
            "mean": preprocess.mean,
            "std": preprocess.std,
            "channels": preprocess.channels,
        }
    flags = dict(flags or {})
    if model_format == "onnx" or (model_format == "auto" and path.suffix.lower() == ".onnx"):
        onnx = OnnxEmbedder(path, device)
        onnx.preprocess, onnx.notes = resolve(path, read_card(onnx.card, path), flags, onnx.fixed_size, "ONNX")
        return onnx
    import torch

    dev = pick_device(device)
    if model_format in ("auto", "sphere"):
        try:
            with warnings.catch_warnings():  # a TorchScript zip makes torch.load warn and dispatch
                warnings.simplefilter("ignore")
                state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception:
            state = None
        if isinstance(state, dict) and "model_name" in state:
            return _sphere_embedder(path, state, flags, dev)
        if model_format == "sphere":
            raise InputError(f"{path}: not a sphere model.pt (no 'model_name' entry)")
    extra = {CARD_FILE: ""}
    try:
        with warnings.catch_warnings():  # torch.jit is deprecated upstream but TorchScript files still exist
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location=dev, _extra_files=extra)
    except Exception as error:
        raise InputError(
            f"{path}: neither a sphere model.pt nor a TorchScript file: {str(error).splitlines()[0]}"
        ) from None
    chosen, notes = resolve(path, read_card(extra[CARD_FILE], path), flags, None, "TorchScript")
    embedder = TorchEmbedder(module, chosen, dev, "torchscript", str(path))
    embedder.notes = notes
    return embedder


_SPHERE = {"mean": 127.5, "std": 128.0, "channels": "rgb"}  # sphere.models.io.to_input


def _sphere_embedder(path: Path, state: dict, flags: dict, device: torch.device) -> TorchEmbedder:
    """The embedder of a sphere model.pt whose dict `state` is read; a dict that is not a whole sphere model
    (entries missing, an unknown network, weights of another shape) is an InputError naming the file."""
    from sphere.models.io import load_model

    missing = sorted({"model", "width", "feature_dim", "input_size"} - set(state))
    if missing:
        raise InputError(f"{path}: a sphere model.pt needs the entries {missing} too (has 'model_name')")
    try:
        fixed = tuple(int(v) for v in state["input_size"])
    except (TypeError, ValueError):
        fixed = ()
    if len(fixed) != 2 or min(fixed) < 1:
        raise InputError(f"{path}: input_size {state['input_size']!r} is not two positive integers H W")
    # a sphere model fixes its own preprocessing (store pixels, RGB, (x - 127.5) / 128)
    card = read_card(json.dumps(state["card"]), path) if "card" in state else {"size": fixed}
    chosen, notes = resolve(path, {**_SPHERE, **card}, flags, (fixed[0], fixed[1]), "sphere")
    try:
        network = load_model(path, device)
    except (ValueError, RuntimeError, KeyError, TypeError) as error:  # unknown name, weights that do not fit
        why = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{path}: not a loadable sphere model: {why}") from None
    embedder = TorchEmbedder(network, chosen, device, f"sphere {state['model_name']}", str(path))
    embedder.notes = notes
    return embedder
