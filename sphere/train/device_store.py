"""The packed store where the training step reads it (README, GPUs, clusters and speed).

On CUDA the uint8 faces are moved to the GPU once when they fit in half its free memory; otherwise
they stay in host memory and each batch is gathered into one of two pinned buffers, whose copy to the
GPU is asynchronous, so gathering batch i+1 overlaps the GPU working on batch i.

The host faces are the store's memory map itself, never a private copy: the processes of one machine (DDP ranks,
parallel jobs) read the one copy in the page cache, and a store larger than memory still trains. The store is
only ever read here.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch


def host_tensor(images: np.ndarray) -> torch.Tensor:
    """A tensor over `images` without copying them (a read-only memory map stays shared and unread until used)."""
    with warnings.catch_warnings():  # "non-writable array": nothing writes to the store through this tensor
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(np.ascontiguousarray(images))


class DeviceStore:
    def __init__(
        self, images: np.ndarray, labels: np.ndarray, device: torch.device, on_device: bool | None = None
    ) -> None:
        self.device = device
        host = host_tensor(images)
        self.cuda = device.type == "cuda"
        if on_device is None:
            on_device = not self.cuda or host.numel() < torch.cuda.mem_get_info(device)[0] // 2
        self.on_device = on_device
        self.images = host.to(device) if on_device else host
        self.labels = torch.tensor(labels, device=device)
        self.buffers: list[torch.Tensor] = []
        self.copied: list[torch.cuda.Event | None] = [None, None]
        self.turn = 0

    def _to_device(self, tensor: torch.Tensor) -> torch.Tensor:
        if not self.cuda:
            return tensor
        return tensor.pin_memory().to(self.device, non_blocking=True)

    def batch(self, index: torch.Tensor, flip: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(uint8 faces, flip mask, labels) of `index` (a CPU tensor), all on the device."""
        index_dev, flip_dev = self._to_device(index), self._to_device(flip)
        labels = self.labels[index_dev]
        if self.on_device:
            return self.images[index_dev], flip_dev, labels
        if not self.buffers or self.buffers[0].shape[0] != len(index):
            shape = (len(index), *self.images.shape[1:])
            self.buffers = [torch.empty(shape, dtype=torch.uint8, pin_memory=self.cuda) for _ in range(2)]
        slot = self.turn % 2
        self.turn += 1
        previous = self.copied[slot]
        if previous is not None:
            previous.synchronize()  # the copy that last read this buffer, two batches ago
        torch.index_select(self.images, 0, index, out=self.buffers[slot])
        faces = self.buffers[slot].to(self.device, non_blocking=True, copy=True)
        if self.cuda:
            event = torch.cuda.Event()
            event.record()
            self.copied[slot] = event
        return faces, flip_dev, labels
