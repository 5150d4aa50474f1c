"""The parts of `sphere bench gpu` beyond the step: GEMM peaks, a real `train()` run, features, MegaFace, MTCNN."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from sphere.bench.gpu.device import fp32_math, synchronize
from sphere.bench.gpu.hygiene import compile_counts, compile_delta, reset_compiler

PAPER_STEPS = 28_000  # the released solver; the batch is Sizes.train_batch, the released effective 512


def matmul_peaks(device: torch.device, n: int, cap_s: float) -> dict:
    """Achieved TFLOP/s of an n x n x n matmul in bf16, TF32 and fp32: the ceiling the step is held against."""
    out: dict[str, float] = {"n": n}
    for kind, dtype, tf32 in (
        ("bf16", torch.bfloat16, None),
        ("tf32", torch.float32, True),
        ("fp32", torch.float32, False),
    ):
        a, b = (torch.randn(n, n, device=device).to(dtype) for _ in range(2))
        c = torch.empty_like(a)
        with fp32_math(tf32):
            for _ in range(3):
                torch.matmul(a, b, out=c)
            synchronize(device)
            count, start = 0, time.perf_counter()
            while count < 10 or time.perf_counter() - start < cap_s:
                for _ in range(10):
                    torch.matmul(a, b, out=c)
                count += 10
                synchronize(device)
            out[f"{kind}_tflops"] = 2 * n**3 * count / (time.perf_counter() - start) / 1e12
        del a, b, c
    return out


def write_random_store(folder: Path, n: int, crop: tuple[int, int], classes: int, seed: int = 0) -> Path:
    """A packed store (sphere.store.io) of `n` random faces, labels i % classes: the speed of real data."""
    import pandas as pd

    from sphere.store.io import INDEX_COLUMNS, write_store

    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    index = pd.DataFrame({c: 0.0 for c in INDEX_COLUMNS}, index=range(n))
    index["identity"] = [f"id{label:05d}" for label in labels]
    index["path"] = [f"id{label:05d}/{i:07d}.jpg" for i, label in enumerate(labels)]
    index["label"], index["detection"] = labels, "given"
    write_store(folder, rng.integers(0, 256, (n, *crop, 3), dtype=np.uint8), index)
    return folder


class StepClock:
    """Stands in for `sphere.train.loop.train_step` during one `train()` call: synchronises once, before step
    `warm` + 1, to start the clock (and snapshot the compile counters), and records every batch shape."""

    def __init__(self, step, warm: int, device: torch.device) -> None:
        self.step, self.warm, self.device = step, warm, device
        self.calls = 0
        self.start: float = math.nan  # set at the first timed step
        self.before: dict[str, int] = {}
        self.shapes: set[tuple[int, ...]] = set()

    def __call__(self, net, optimizer, source, index, flip):
        if self.calls == self.warm:
            synchronize(self.device)
            self.start, self.before = time.perf_counter(), compile_counts()
        self.calls += 1
        self.shapes.add(tuple(index.shape))
        return self.step(net, optimizer, source, index, flip)


class SaveClock:
    """Stands in for `sphere.train.loop.save_checkpoint`: the start and duration of every checkpoint written."""

    def __init__(self, save) -> None:
        self.save = save
        self.calls: list[tuple[float, float]] = []

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        result = self.save(*args, **kwargs)
        self.calls.append((start, time.perf_counter() - start))
        return result


def train_run(
    store: Path,
    out: Path,
    model: str,
    width: float,
    batch: int,
    steps: int,
    warm: int,
    log_every: int,
    checkpoint_every: int,
    device: torch.device,
    compile: str = "auto",
) -> dict:
    """A real `sphere.train.loop.train` run (sampler, lr schedule, logging, checkpoints, final model) of `steps`
    steps, and the paper schedule projected from it: 28K x (time per step after `warm` steps, checkpoints
    taken out) + one checkpoint per `checkpoint_every` steps at this run's mean checkpoint time."""
    import pandas as pd

    import sphere.train.loop as training

    cfg = training.TrainConfig(
        model=model,
        width=width,
        batch_size=batch,
        loss="asoftmax",
        loss_params={"m": 4},
        iterations=steps,
        log_every=log_every,
        checkpoint_every=checkpoint_every,
        device=str(device),
        compile=compile,
    )
    reset_compiler()
    clock = StepClock(training.train_step, warm, device)
    saves = SaveClock(getattr(training, "save_checkpoint", None))
    training.train_step, begin = clock, time.perf_counter()
    if saves.save is not None:
        training.save_checkpoint = saves
    try:
        training.train(cfg, store, out, progress=False)
    finally:
        training.train_step = clock.step
        if saves.save is not None:
            training.save_checkpoint = saves.save
    end = time.perf_counter()
    startup = clock.start - begin
    late = [(t, d) for t, d in saves.calls if t > clock.start]
    if late:  # the last checkpoint is written after the last step (train() reads the loss back first)
        loop_s = late[-1][0] - clock.start - sum(d for _, d in late[:-1])
        checkpoint_s = sum(d for _, d in saves.calls) / len(saves.calls)
    else:  # checkpoints not seen (train.py changed): they stay inside the time per step
        loop_s, checkpoint_s = end - clock.start, 0.0
    per_step = loop_s / (steps - warm)
    paper_s = PAPER_STEPS * per_step + (PAPER_STEPS // checkpoint_every) * checkpoint_s
    metrics = pd.read_csv(out / "metrics.csv")
    return {
        "model": model,
        "width": width,
        "batch": batch,
        "steps": steps,
        "warm_steps": warm,
        "compile": compile,
        "log_every": log_every,
        "checkpoint_every": checkpoint_every,
        "startup_s": startup,
        "timed_s": end - clock.start,
        "step_ms": 1000 * per_step,
        "img_s": batch / per_step,
        "checkpoints_written": len(saves.calls),
        "checkpoint_s": checkpoint_s,
        "final_loss": float(metrics["loss"].iloc[-1]),
        "batch_shapes": sorted(list(s) for s in clock.shapes),
        "static_shapes": len(clock.shapes) == 1,
        "compile_after_warmup": compile_delta(clock.before, compile_counts()),
        "paper_schedule": {
            "steps": PAPER_STEPS,
            "batch": batch,
            "seconds": paper_s,
            "minutes": paper_s / 60,
            "minutes_with_startup": (paper_s + startup) / 60,
            "note": f"{PAPER_STEPS} steps x {batch} images at this run's time per step after "
            f"warm-up (sampler, lr schedule, loss read back every {log_every} steps) plus "
            f"{PAPER_STEPS // checkpoint_every} checkpoints at {checkpoint_s:.2f} s; "
            "start-up (store to the GPU, compilation) once",
        },
    }


def features(
    model_path: Path | None,
    images: np.ndarray,
    model: str,
    width: float,
    device: torch.device,
    batch: int,
    cap_s: float,
) -> dict:
    """Faces/s of `sphere.features.extract` (FC1 of each face and of its flip) with the trained model."""
    from sphere.features import extract
    from sphere.models import create_model
    from sphere.models.io import load_model

    if model_path is not None and model_path.exists():
        net, source = load_model(model_path, device), str(model_path.name)
    else:
        net = create_model(model, width=width, input_size=tuple(images.shape[1:3])).to(device).eval()
        source = "seeded initial network (no trained model)"
    extract(net, images[:batch], batch)  # warm-up
    synchronize(device)
    done, start = 0, time.perf_counter()
    while done < min(len(images), 4 * batch) or (time.perf_counter() - start < cap_s and done < len(images)):
        out = extract(net, images[done : done + 4 * batch], batch)
        done += len(out)
    seconds = time.perf_counter() - start
    return {
        "img_s": done / seconds,
        "images": done,
        "seconds": seconds,
        "batch": batch,
        "forwards_per_image": 2,
        "feature_dim": int(out.shape[1]),
        "model": source,
        "precision": "fp32 (load_model, eager)",
    }


def megaface(probes: int, distractors: int, dim: int, device: torch.device, cap_s: float) -> dict:
    """Seconds of `megaface_ladder` over the devkit ladder on random unit features (after a small warm-up)."""
    from sphere.protocols.megaface import benchmark_megaface

    benchmark_megaface(probes, min(distractors, 10_000), dim, device)
    runs: list[float] = []
    start = time.perf_counter()
    while not runs or (time.perf_counter() - start < cap_s and len(runs) < 5):
        runs.append(benchmark_megaface(probes, distractors, dim, device))
    return {
        "probes": probes,
        "distractors": distractors,
        "dim": dim,
        "seconds": min(runs),
        "runs_s": runs,
        "note": "whole ladder (10 .. all distractors), rank-1/CMC, TAR@FAR 1e-6, ROC histogram; features "
        "made on the device before the clock starts",
    }


def find_mtcnn_weights(explicit: str | None) -> Path | None:
    """The first folder with pnet.pt, rnet.pt and onet.pt: --mtcnn-weights, $SPHERE_MTCNN_WEIGHTS, the shared
    data of development and CI, the fetch-mtcnn cache. Nothing is downloaded (the GPU machine is offline)."""
    from sphere.align.mtcnn_weights import DEFAULT_CACHE

    here = Path(__file__).resolve().parents[3]
    candidates: list[str | Path | None] = [
        explicit,
        os.environ.get("SPHERE_MTCNN_WEIGHTS"),
        "mtcnn-weights",
        here / "mtcnn-weights",
        here / "shared/data/models/mtcnn",
        here.parent / "shared/data/models/mtcnn",
        DEFAULT_CACHE,
    ]
    for folder in (c for c in candidates if c):
        if all((Path(folder) / f).is_file() for f in ("pnet.pt", "rnet.pt", "onet.pt")):
            return Path(folder)
    return None


def raw_photos(n: int, size: int, seed: int = 0) -> list[np.ndarray]:
    """`n` synthetic raw photos (size x size, face off-centre, clutter) from sphere.synthetic."""
    from sphere.synthetic.identity import sample_identities
    from sphere.synthetic.nuisance import sample_nuisance
    from sphere.synthetic.render import render

    rng = np.random.default_rng(seed)
    identities, _ = sample_identities(rng, min(n, 64), 1.0)
    return [render(identities[i % len(identities)], sample_nuisance(rng, 1.0), size)[0] for i in range(n)]


def mtcnn(weights: Path | None, images: list[np.ndarray], device: torch.device, chunk: int, cap_s: float) -> dict:
    """Images/s of the MTCNN cascade (`MTCNN.detect`, chunks of `chunk` same-sized images) on decoded photos."""
    from sphere.align.mtcnn import MTCNN

    if weights is None:
        raise FileNotFoundError(
            "no MTCNN weights (pnet.pt, rnet.pt, onet.pt): pass --mtcnn-weights DIR or set SPHERE_MTCNN_WEIGHTS"
        )
    detector = MTCNN(weights, device, batch_size=chunk)
    detector.detect(images[:chunk])  # warm-up
    synchronize(device)
    done, found, start = 0, 0, time.perf_counter()
    while done < min(len(images), 2 * chunk) or (time.perf_counter() - start < cap_s and done < len(images)):
        found += sum(d is not None for d in detector.detect(images[done : done + chunk]))
        done += len(images[done : done + chunk])
    seconds = time.perf_counter() - start
    return {
        "img_s": done / seconds,
        "images": done,
        "detected": found,
        "seconds": seconds,
        "chunk": chunk,
        "size": list(images[0].shape[:2]),
        "weights": str(weights),
    }
