"""`sphere bench scale`: CASIA-WebFace size on one CPU machine in bounded memory (issue 22, item 3).

Writes an insightface-layout RecordIO of synthetic 112x112 JPEG faces (by default CASIA-WebFace's 490,623
images of 10,572 identities as insightface distributes it), builds the 112x96 store from it with
`sphere store-recordio`, and trains SphereFace-20 from that store for a few steps with `sphere train`, each
stage in its own process, whose peak resident memory (getrusage of the waited child, its own workers
included) is the figure reported. The faces are cheap on purpose: a per-identity blocky colour pattern,
shifted and brightened per image, then JPEG-encoded, so the bench measures the I/O and memory of the
pipeline, not face rendering (sphere.synthetic draws real-looking faces, about 100x slower).
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

from sphere.errors import UserError

# faces_webface_112x112 as insightface distributes it (record 0 of its train.rec)
CASIA_IMAGES = 490_623
CASIA_IDENTITIES = 10_572
FACE = 112


def synthetic_faces(images: int, identities: int, seed: int = 0) -> Iterator[tuple[int, bytes]]:
    """(class, JPEG bytes) of `images` cheap 112x112 faces over `identities` classes, grouped by class."""
    per_class = np.full(identities, images // identities)
    per_class[: images % identities] += 1
    for label, count in enumerate(per_class):
        rng = np.random.default_rng([seed, label])
        pattern = rng.integers(30, 226, (8, 8, 3)).repeat(FACE // 8, 0).repeat(FACE // 8, 1).astype(np.int16)
        for _ in range(count):
            shifted = np.roll(pattern, tuple(rng.integers(-6, 7, 2)), (0, 1)) + rng.integers(-25, 26)
            buffer = io.BytesIO()
            Image.fromarray(np.clip(shifted, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
            yield label, buffer.getvalue()


def run_stage(command: list[str], log: Path) -> dict:
    """Run one sphere command in a child process: its wall seconds and peak RSS (MB)."""
    start = time.perf_counter()
    with open(log, "w") as err:
        child = subprocess.Popen(command, stdout=err, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        tail = log.read_text()[-2000:]
        raise UserError(f"{' '.join(command[2:5])} failed (exit {child.returncode}):\n{tail}")
    rss_unit = 1 if sys.platform == "darwin" else 1024
    return {"seconds": round(time.perf_counter() - start, 1), "peak_rss_mb": round(usage.ru_maxrss * rss_unit / 2**20)}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def train_config(batch: int, steps: int) -> dict:
    """SphereFace-20 (A-Softmax, m=4) at full width on the CPU, a few steps, no checkpoint on the way."""
    return {
        "run": "bench-scale",
        "train": {
            "model": "sphereface20",
            "batch_size": batch,
            "iterations": steps,
            "lr_steps": [],
            "log_every": max(1, steps // 5),
            "checkpoint_every": steps,
            "device": "cpu",
        },
        "methods": {"sphereface20": {"loss": "asoftmax", "params": {"m": 4}}},
        "tables": {"accuracy_vs_m": ["sphereface20"]},
    }


def bench_scale(
    images: int = CASIA_IMAGES,
    identities: int = CASIA_IDENTITIES,
    steps: int = 100,
    batch: int = 8,
    workers: int = 2,
    threads: int = 2,
    scratch: Path | str | None = None,
    keep: bool = False,
) -> dict:
    """Write the RecordIO, build the store, train; the figures (scratch deleted unless `keep`)."""
    if images < identities or identities < 2:
        raise UserError(f"--images {images} must be at least --identities {identities} (>= 2)")
    parent = Path(scratch) if scratch else Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    need = images * (FACE * 96 * 3 + 6_000)  # the store plus about 6 KB of JPEG and index per image
    free = shutil.disk_usage(parent).free
    if free < need * 1.1:
        raise UserError(f"{parent}: {free / 1e9:.1f} GB free, about {need / 1e9:.1f} GB needed")
    work = Path(tempfile.mkdtemp(prefix="sphere-bench-scale-", dir=parent))
    sphere = [sys.executable, "-m", "sphere"]
    try:
        start = time.perf_counter()
        from sphere.formats.recordio import write_insightface_set

        written = write_insightface_set(work / "train.rec", work / "train.idx", synthetic_faces(images, identities))
        write_seconds = time.perf_counter() - start
        rec_bytes = (work / "train.rec").stat().st_size + (work / "train.idx").stat().st_size

        store = work / "store"
        build = run_stage(
            [*sphere, "store-recordio", "--rec", str(work / "train.rec"), "--out", str(store)]
            + ["--workers", str(workers)],
            work / "build.log",
        )
        store_bytes = folder_bytes(store)
        (work / "train.yaml").write_text(yaml.safe_dump(train_config(batch, steps)))
        trained = run_stage(
            [*sphere, "train", "--config", str(work / "train.yaml"), "--method", "sphereface20"]
            + ["--store", str(store), "--out", str(work / "model"), "--threads", str(threads)],
            work / "train.log",
        )
        return {
            "images": written,
            "identities": identities,
            "images_kind": "synthetic 112x112 JPEG (per-identity colour pattern, shifted and brightened)",
            "recordio_write_seconds": round(write_seconds, 1),
            "recordio_bytes": rec_bytes,
            "store_build_seconds": build["seconds"],
            "store_build_images_per_s": round(written / build["seconds"]),
            "store_build_workers": workers,
            "store_build_peak_rss_mb": build["peak_rss_mb"],
            "store_bytes": store_bytes,
            "store_shape": [written, 112, 96, 3],
            "train_model": "sphereface20 (A-Softmax m=4, 512-d, full width)",
            "train_steps": steps,
            "train_batch": batch,
            "train_threads": threads,
            "train_seconds": trained["seconds"],
            "train_peak_rss_mb": trained["peak_rss_mb"],
            "disk_used_bytes": rec_bytes + store_bytes,
            "peak_rss_target_mb": 2048,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        }
    finally:
        if keep:
            print(f"sphere bench scale: scratch kept at {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def markdown(result: dict) -> str:
    """The figures as a short Markdown report."""
    gb = 1e9
    ok = all(result[k] < result["peak_rss_target_mb"] for k in ("store_build_peak_rss_mb", "train_peak_rss_mb"))
    return "\n".join(
        [
            "# Scale on the CPU: a CASIA-WebFace-size RecordIO to a store to SphereFace-20 steps",
            "",
            "Written by `sphere bench scale` (sphere/bench/scale.py). Faces: " + result["images_kind"] + ".",
            "",
            "| figure | value |",
            "|---|---|",
            f"| images / identities | {result['images']:,} / {result['identities']:,} |",
            f"| RecordIO (train.rec + .idx) | {result['recordio_bytes'] / gb:.2f} GB, "
            f"written in {result['recordio_write_seconds']:,.0f} s |",
            f"| store build ({result['store_build_workers']} decoding processes) | "
            f"{result['store_build_seconds']:,.0f} s, {result['store_build_images_per_s']:,} images/s |",
            f"| store build peak RSS | {result['store_build_peak_rss_mb']:,} MB |",
            f"| store (images.npy + index.csv) | {result['store_bytes'] / gb:.2f} GB |",
            f"| training: {result['train_model']}, {result['train_steps']} steps at batch "
            f"{result['train_batch']}, {result['train_threads']} threads | {result['train_seconds']:,.0f} s |",
            f"| training peak RSS | {result['train_peak_rss_mb']:,} MB |",
            f"| disk used | {result['disk_used_bytes'] / gb:.2f} GB |",
            "",
            f"Target: peak RSS under {result['peak_rss_target_mb']:,} MB for both: {'met' if ok else 'NOT met'}. "
            f"Machine: {result['machine']}.",
            "",
        ]
    )


def write_results(result: dict, out: Path | str) -> tuple[Path, Path]:
    """`<out>.json` and `<out>.md` (out is a path without suffix, e.g. results/bench/scale-cpu)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out.with_name(out.name + ".json"), out.with_name(out.name + ".md")
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
