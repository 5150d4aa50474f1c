"""Test features: FC1 of the face and of its horizontal flip, concatenated (docs/paper.md §3, docs/protocols.md)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import torch
from tqdm import tqdm

from sphere.models.io import load_model, to_input
from sphere.runtime import pick_device, save_npy, set_threads
from sphere.store.io import read_store


@torch.inference_mode()
def extract(model: torch.nn.Module, images: np.ndarray, batch_size: int = 256, progress: bool = False) -> np.ndarray:
    """N x 2D float32 features of uint8 N x H x W x 3 faces: [FC1(face), FC1(flipped face)]."""
    device = next(model.parameters()).device
    model.eval()
    out = []
    for start in tqdm(range(0, len(images), batch_size), desc="features", disable=not progress):
        batch = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size])).to(device)
        keep = torch.zeros(len(batch), dtype=torch.bool, device=device)
        face, flipped = model(to_input(batch, keep)), model(to_input(batch, ~keep))
        out.append(torch.cat([face, flipped], 1).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def extract_store(model_path: Path, store_dir: Path, out_path: Path, device: str = "auto", threads: int = 0) -> None:
    """Write `out_path` (.npy, atomically) with the features of every face in the store, in index order."""
    set_threads(threads)
    store = read_store(store_dir)
    model = load_model(model_path, pick_device(device))
    input_size = cast("tuple[int, int]", model.input_size)  # every registry network records its crop size
    if tuple(store.images.shape[1:3]) != tuple(input_size):
        from sphere.errors import InputError

        raise InputError(
            f"{store_dir}: faces of {store.images.shape[1]}x{store.images.shape[2]} but {model_path} was "
            f"trained on {input_size[0]}x{input_size[1]} crops"
        )
    save_npy(out_path, extract(model, store.images, progress=True))
