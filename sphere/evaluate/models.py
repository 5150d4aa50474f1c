"""Face embedders for `sphere evaluate`: a sphere `model.pt`, a TorchScript file or an ONNX model
(onnxruntime, CUDA provider first where available), each called on uint8 RGB N x H x W x 3 crops.

A sphere model knows its input size and preprocessing ((x - 127.5) / 128, RGB; docs/paper.md §3). Other
models take them as options: input size, pixel mean and std, channel order (`rgb` or `bgr`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sphere.errors import InputError
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


class Embedder:
    """Features of face crops and of their mirror images: `embed(images) -> (face, flip)`."""

    preprocess: Preprocess
    kind: str

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def embed(self, images: np.ndarray, batch_size: int = 128) -> tuple[np.ndarray, np.ndarray]:
        face, flip = [], []
        for s in range(0, len(images), batch_size):
            batch = self.preprocess(images[s : s + batch_size])
            face.append(self.forward(batch))
            flip.append(self.forward(np.ascontiguousarray(batch[..., ::-1])))
        if not face:
            raise InputError("no images to embed")
        return np.concatenate(face).astype(np.float32), np.concatenate(flip).astype(np.float32)


class TorchEmbedder(Embedder):
    def __init__(self, module: torch.nn.Module, preprocess: Preprocess, device: torch.device, kind: str) -> None:
        self.module, self.preprocess, self.device, self.kind = module.eval(), preprocess, device, kind

    def forward(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.module(torch.from_numpy(x).to(self.device))
        out = out[0] if isinstance(out, (tuple, list)) else out
        return out.float().cpu().numpy().reshape(len(x), -1)


class OnnxEmbedder(Embedder):
    def __init__(self, path: Path, preprocess: Preprocess, device: str) -> None:
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
        self.preprocess, self.kind = preprocess, f"onnx ({self.session.get_providers()[0]})"

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.fixed_batch is None:
            return self.session.run(None, {self.input_name: x})[0].reshape(len(x), -1)
        outs = []
        for s in range(0, len(x), self.fixed_batch):  # a model exported with a fixed batch: pad the last one
            part = x[s : s + self.fixed_batch]
            padded = np.concatenate([part, np.repeat(part[-1:], self.fixed_batch - len(part), 0)])
            outs.append(self.session.run(None, {self.input_name: padded})[0][: len(part)].reshape(len(part), -1))
        return np.concatenate(outs)


def load_embedder(
    path: Path | str, preprocess: Preprocess | None = None, device: str = "auto", model_format: str = "auto"
) -> Embedder:
    """An embedder for a sphere model.pt, a TorchScript file or an .onnx (format from the suffix/content)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: model file not found")
    if model_format == "onnx" or (model_format == "auto" and path.suffix.lower() == ".onnx"):
        return OnnxEmbedder(path, preprocess or Preprocess(), device)
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
            from sphere.models.io import load_model

            height, width = (int(v) for v in state["input_size"])
            # a sphere model fixes its own preprocessing (store pixels, RGB, (x - 127.5) / 128)
            return TorchEmbedder(
                load_model(path, dev), Preprocess((height, width)), dev, f"sphere {state['model_name']}"
            )
        if model_format == "sphere":
            raise InputError(f"{path}: not a sphere model.pt (no 'model_name' entry)")
    try:
        with warnings.catch_warnings():  # torch.jit is deprecated upstream but TorchScript files still exist
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location=dev)
    except Exception as error:
        raise InputError(
            f"{path}: neither a sphere model.pt nor a TorchScript file: {str(error).splitlines()[0]}"
        ) from None
    return TorchEmbedder(module, preprocess or Preprocess(), dev, "torchscript")
