"""`sphere bench train`: training images/s of a configured step against plain eager fp32, in one run."""

from __future__ import annotations

import dataclasses
import time

import torch

from sphere.config.settings import TrainConfig
from sphere.runtime import pick_device
from sphere.train.device_store import DeviceStore
from sphere.train.loop import build, train_step


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(
    cfg: TrainConfig,
    classes: int,
    crop: tuple[int, int],
    steps: int,
    warmup: int,
    device: torch.device,
    store_images: int,
) -> float:
    """Images/s of `steps` training steps on a random uint8 store held where training would hold it."""
    _, _, net, optimizer = build(cfg, classes, crop, device)
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (store_images, *crop, 3), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, classes, (store_images,), generator=generator)
    source = DeviceStore(images.numpy(), labels.numpy(), device)
    batches = [
        (
            torch.randint(0, store_images, (cfg.batch_size,), generator=generator),
            torch.rand(cfg.batch_size, generator=generator) < 0.5,
        )
        for _ in range(8)
    ]
    net.train()
    for i in range(warmup):
        train_step(net, optimizer, source, *batches[i % 8])
    synchronize(device)
    start = time.perf_counter()
    for i in range(steps):
        train_step(net, optimizer, source, *batches[i % 8])
    synchronize(device)
    return steps * cfg.batch_size / (time.perf_counter() - start)


def bench_train(
    model: str = "sphereface20",
    width: float = 1.0,
    batch: int = 512,
    classes: int = 10572,
    crop: tuple[int, int] = (112, 96),
    loss: str = "asoftmax",
    precision: str = "auto",
    compile: str = "auto",
    steps: int = 20,
    warmup: int = 5,
    device: str = "auto",
    store_images: int = 4096,
) -> dict:
    """The configured step and, in the same run, the plain eager fp32 step; returns both and the ratio."""
    dev = pick_device(device)
    cfg = TrainConfig(
        model=model,
        width=width,
        batch_size=batch,
        loss=loss,
        loss_params={"m": 4} if loss in ("asoftmax", "lsoftmax") else {},
        precision=precision,
        compile=compile,
        device=str(dev),
    )
    plain = dataclasses.replace(cfg, precision="fp32", compile="off", channels_last="off")
    fast = time_steps(cfg, classes, crop, steps, warmup, dev, store_images)
    base = time_steps(plain, classes, crop, steps, max(1, warmup // 2), dev, store_images)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    return {
        "device": name,
        "model": model,
        "width": width,
        "batch": batch,
        "classes": classes,
        "crop": list(crop),
        "loss": loss,
        "configured_img_s": fast,
        "eager_fp32_img_s": base,
        "ratio": fast / base,
        "precision": precision,
        "compile": compile,
        "torch": torch.__version__,
    }
