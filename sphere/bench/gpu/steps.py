"""The training step of sphere/train/loop.py (`build` + `DeviceStore` + `train_step`), timed under a cap.

Variants, each built fresh in this process: `configured` (what `sphere train` runs: on CUDA bf16
autocast + channels_last + torch.compile), `eager_bf16_cl` (the same without compile), `eager_tf32`
and `eager_fp32` (plain float32, TF32 on / off for matmuls and cuDNN convs).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch

from sphere.bench.gpu.device import fp32_math, synchronize
from sphere.bench.gpu.hygiene import (
    SyncWatch,
    compile_counts,
    compile_delta,
    reset_compiler,
)
from sphere.config.settings import TrainConfig
from sphere.runtime import switch
from sphere.train.device_store import DeviceStore
from sphere.train.loop import build, train_step

# name -> (TrainConfig overrides, TF32 switch (None: the defaults), peak used for the ratio)
VARIANTS: dict[str, tuple[dict, bool | None, str]] = {
    "configured": ({}, None, "bf16"),
    "eager_bf16_cl": ({"precision": "bf16", "compile": "off", "channels_last": "on"}, None, "bf16"),
    "eager_tf32": ({"precision": "fp32", "compile": "off", "channels_last": "off"}, True, "tf32"),
    "eager_fp32": ({"precision": "fp32", "compile": "off", "channels_last": "off"}, False, "fp32"),
}


@dataclass
class Timing:
    """How a timed loop ends: at least `min_steps`, then until `cap_s` seconds or `max_steps`."""

    min_steps: int
    cap_s: float
    chunk: int
    warmup: int
    max_steps: int = 100_000


def random_store(
    n: int, crop: tuple[int, int], classes: int, device: torch.device, on_device: bool | None, seed: int = 0
) -> DeviceStore:
    """A `DeviceStore` of `n` random uint8 faces, resident (`on_device=True`) or streamed (False)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, *crop, 3), dtype=np.uint8)
    return DeviceStore(images, np.arange(n) % classes, device, on_device=on_device)


def random_batches(n_images: int, batch: int, count: int = 8, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """CPU (index, flip) pairs as the sampler gives them, all of the same shape."""
    generator = torch.Generator().manual_seed(seed)
    return [
        (torch.randint(0, n_images, (batch,), generator=generator), torch.rand(batch, generator=generator) < 0.5)
        for _ in range(count)
    ]


def timed_steps(
    net, optimizer, source: DeviceStore, batches, timing: Timing, device: torch.device, deadline: float
) -> dict:
    """Warm up, then time whole chunks of steps; synchronisations are watched inside the steps only."""
    net.train()
    start = time.perf_counter()
    for i in range(timing.warmup):
        train_step(net, optimizer, source, *batches[i % len(batches)])
    synchronize(device)
    warm_s = time.perf_counter() - start
    watch, before = SyncWatch(device), compile_counts()
    steps, start = 0, time.perf_counter()
    stop = min(start + timing.cap_s, deadline)
    while steps < timing.min_steps or (time.perf_counter() < stop and steps < timing.max_steps):
        with watch.watching():
            for _ in range(timing.chunk):
                train_step(net, optimizer, source, *batches[steps % len(batches)])
                steps += 1
        synchronize(device)
    seconds = time.perf_counter() - start
    batch = len(batches[0][0])
    return {
        "img_s": steps * batch / seconds,
        "step_ms": 1000 * seconds / steps,
        "steps": steps,
        "seconds": seconds,
        "warmup_steps": timing.warmup,
        "warmup_s": warm_s,
        "compile": compile_delta(before, compile_counts()),
        "sync": watch.result(),
    }


def run_variant(
    name: str,
    base: TrainConfig,
    classes: int,
    crop: tuple[int, int],
    source: DeviceStore,
    timing: Timing,
    device: torch.device,
    flops_step: float | None,
    peaks: dict | None,
    deadline: float,
    keep: bool = False,
) -> tuple[dict, tuple | None]:
    """One variant's figures (img/s, TFLOP/s, ratio to peak, hygiene); `keep` also returns (net, optimizer)."""
    overrides, tf32, peak_key = VARIANTS[name]
    cfg = dataclasses.replace(base, **overrides)
    if switch(cfg.compile, device):
        reset_compiler()  # a fresh cache, as in a fresh process (the kept variant's stays until the next)
    with fp32_math(tf32):
        _, _, net, optimizer = build(cfg, classes, crop, device)
        result = timed_steps(
            net, optimizer, source, random_batches(len(source.labels), cfg.batch_size), timing, device, deadline
        )
    bf16 = net.bf16
    result.update(
        precision="bf16" if bf16 else "fp32",
        compiled=switch(cfg.compile, device),
        channels_last=net.channels_last,
        tf32="default" if tf32 is None else tf32,
    )
    if flops_step:
        result["tflops"] = flops_step * result["img_s"] / base.batch_size
        peak_key = peak_key if bf16 or peak_key != "bf16" else "fp32"
        if peaks:
            result["peak_tflops"] = peaks[peak_key]
            result["peak_kind"] = peak_key
            result["fraction_of_peak"] = result["tflops"] / peaks[peak_key]
    if keep:
        return result, (cfg, net, optimizer)
    del net, optimizer
    return result, None
