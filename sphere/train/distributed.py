"""torch DDP through `torchrun`: the same training command, N processes, one global batch split N ways."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_world(device_type: str) -> World:
    """Join the process group that torchrun describes in the environment; a plain run is a world of one."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return World()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device_type == "cuda" else "gloo")
    return World(dist.get_rank(), size, int(os.environ.get("LOCAL_RANK", "0")))


def shard(batch: torch.Tensor, world: World) -> torch.Tensor:
    """This rank's share of a global batch that every rank drew identically (same seed)."""
    return batch[world.rank :: world.size] if world.size > 1 else batch


def barrier(world: World) -> None:
    if world.size > 1:
        dist.barrier()
