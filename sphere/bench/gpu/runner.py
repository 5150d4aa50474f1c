"""Runs the parts of `sphere bench gpu` under one budget and rewrites the JSON / Markdown after each."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from sphere.bench.gpu import parts, report
from sphere.bench.gpu.device import describe, free_memory
from sphere.bench.gpu.sizes import FULL, TINY, Sizes

MODELS = ("sphereface20", "sphereface64")


@dataclass
class Context:
    """One bench run: device, sizes, the global deadline, the record being written and what parts share."""

    device: torch.device
    sizes: Sizes
    deadline: float
    record: dict
    json_path: Path
    work: Path
    mtcnn_weights: str | None = None
    shared: dict = field(default_factory=dict)

    def save(self) -> None:
        """Rewrite `<device>.json` and `.md` (atomically), so a killed run keeps what it finished."""
        self.record["wall_s"] = time.perf_counter() - self.shared["t0"]
        self.record["targets"] = report.targets(self.record)
        self.record["hygiene"] = report.hygiene(self.record)
        for path, text in (
            (self.json_path, json.dumps(self.record, indent=2, default=_plain) + "\n"),
            (self.json_path.with_suffix(".md"), report.markdown(self.record)),
        ):
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text)
            os.replace(tmp, path)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()


def _plain(value):
    """JSON for what json cannot write: tuples are lists already; numpy scalars and paths become plain."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def get_part(ctx: Context, name: str) -> dict:
    """A finished part's figures, or {} if it did not run or failed."""
    part = ctx.record["parts"].get(name, {})
    return part if part.get("status") == "ok" else {}


def _error(error: BaseException) -> dict:
    return {
        "status": "error",
        "error": f"{type(error).__name__}: {error}"[:2000],
        "traceback": traceback.format_exc(limit=6)[-3000:],
    }


def part_gemm(ctx: Context) -> dict:
    return parts.matmul_peaks(ctx.device, ctx.sizes.gemm_n, ctx.sizes.gemm_cap)


def part_flops(ctx: Context) -> dict:
    from sphere.bench.gpu.flops import step_flops

    s = ctx.sizes
    counted = {m: step_flops(m, s.width, s.classes, s.crop, s.batch) for m in MODELS}
    ctx.shared["flops"] = {m: c["step_tflop"] for m, c in counted.items()}
    paper = 3.5 if s.width == 1.0 and tuple(s.crop) == (112, 96) else None
    return {**counted, "paper_sphereface20_forward_gflop": paper}


def _step_config(ctx: Context, model: str, batch: int):
    from sphere.config.settings import TrainConfig

    s = ctx.sizes
    return TrainConfig(
        model=model, width=s.width, batch_size=batch, loss="asoftmax", loss_params={"m": 4}, device=str(ctx.device)
    )


def part_step(model: str) -> Callable[[Context], dict]:
    def run(ctx: Context) -> dict:
        from sphere.bench.gpu.steps import VARIANTS, Timing, random_store, run_variant

        s = ctx.sizes
        flops = ctx.shared.get("flops", {}).get(model)
        if flops is None:
            from sphere.bench.gpu.flops import step_flops

            flops = step_flops(model, s.width, s.classes, s.crop, s.batch)["step_tflop"]
        source = random_store(s.step_store, s.crop, s.classes, ctx.device, on_device=True)
        out = {
            "model": model,
            "width": s.width,
            "batch": s.batch,
            "classes": s.classes,
            "crop": list(s.crop),
            "loss": "asoftmax m=4",
            "store": f"resident DeviceStore of {s.step_store} random faces",
            "step_tflop": flops,
            "path": "sphere.train.loop build + DeviceStore.batch + train_step",
        }
        name = f"step_{model}"
        for variant in VARIANTS:
            if ctx.remaining() <= 0:
                out[variant] = {"status": "skipped", "error": "global budget spent"}
                continue
            timing = Timing(s.min_steps, s.step_caps[variant], s.chunk, s.warmup)
            keep = variant == "configured" and model == "sphereface20"
            try:
                figures, kept = run_variant(
                    variant,
                    _step_config(ctx, model, s.batch),
                    s.classes,
                    s.crop,
                    source,
                    timing,
                    ctx.device,
                    flops,
                    ctx.record["device"]["peaks_tflops"],
                    ctx.deadline,
                    keep=keep,
                )
                gemm = get_part(ctx, "gemm_peak").get(f"{VARIANTS[variant][2]}_tflops")
                same_precision = (figures["precision"] == "bf16") == (VARIANTS[variant][2] == "bf16")
                if gemm and figures.get("tflops") and same_precision:
                    figures["fraction_of_measured_gemm"] = figures["tflops"] / gemm
                out[variant] = {"status": "ok", **figures}
                if kept:
                    ctx.shared["sf20_configured"] = kept
            except Exception as error:  # noqa: BLE001  (one variant failing leaves the others)
                out[variant] = _error(error)
            free_memory(ctx.device)
            ctx.record["parts"][name] = {"status": "running", **out}
            ctx.save()
        rate = {v: out[v].get("img_s") for v in VARIANTS}
        for a, b in (
            ("configured", "eager_tf32"),
            ("configured", "eager_fp32"),
            ("eager_bf16_cl", "eager_tf32"),
            ("configured", "eager_bf16_cl"),
        ):
            if rate[a] and rate[b]:
                out[f"ratio_{a}_vs_{b}"] = rate[a] / rate[b]
        return out

    return run


def part_streamed(ctx: Context) -> dict:
    from sphere.bench.gpu.steps import Timing, random_batches, random_store, timed_steps
    from sphere.train.loop import build

    s = ctx.sizes
    kept = ctx.shared.pop("sf20_configured", None)
    cfg, net, optimizer = kept or (None, None, None)
    if kept is None:
        cfg = _step_config(ctx, "sphereface20", s.batch)
        _, _, net, optimizer = build(cfg, s.classes, s.crop, ctx.device)
    out: dict[str, Any] = {
        "model": "sphereface20",
        "batch": s.batch,
        "store_images": s.streamed_store,
        "store_mib": s.streamed_store * s.crop[0] * s.crop[1] * 3 / 2**20,
        "net": "configured",
    }
    batches = random_batches(s.streamed_store, s.batch)
    for kind, on_device in (("resident", True), ("streamed", False)):
        source = random_store(s.streamed_store, s.crop, s.classes, ctx.device, on_device=on_device, seed=1)
        timing = Timing(s.min_steps, s.streamed_cap, s.chunk, s.warmup)
        out[kind] = timed_steps(net, optimizer, source, batches, timing, ctx.device, ctx.deadline)
        out[kind]["on_device"] = source.on_device
        del source
        free_memory(ctx.device)
    out["ratio_streamed_vs_resident"] = out["streamed"]["img_s"] / out["resident"]["img_s"]
    return out


def part_train(ctx: Context) -> dict:
    s = ctx.sizes
    store = parts.write_random_store(ctx.work / "store", s.train_store, s.crop, s.classes)
    ctx.shared["store"] = store
    steps = s.train_steps
    measured = get_part(ctx, "step_sphereface20").get("configured", {}).get("img_s")
    if measured:  # as many steps as the cap allows at the step bench's rate, within [min, max]
        steps = int(min(s.train_steps, max(s.train_min_steps, s.train_warm + s.train_cap * measured / s.train_batch)))
    args = (
        store,
        ctx.work / "run",
        "sphereface20",
        s.width,
        s.train_batch,
        steps,
        s.train_warm,
        s.log_every,
        s.checkpoint_every,
        ctx.device,
    )
    try:
        return parts.train_run(*args)
    except Exception as error:  # noqa: BLE001  (e.g. torch.compile failing here: the eager loop still projects)
        if ctx.device.type != "cuda":
            raise
        first = f"{type(error).__name__}: {error}"[:1000]
        print(f"train_run failed ({first[:200]}); again without torch.compile", flush=True)
        shutil.rmtree(ctx.work / "run", ignore_errors=True)
        free_memory(ctx.device)
        return {**parts.train_run(*args, compile="off"), "compiled_run_error": first}


def part_megaface(ctx: Context) -> dict:
    s = ctx.sizes
    return parts.megaface(s.mf_probes, s.mf_distractors, s.mf_dim, ctx.device, s.mf_cap)


def part_features(ctx: Context) -> dict:
    import numpy as np

    s = ctx.sizes
    store = ctx.shared.get("store")
    if store is not None:
        images = np.load(store / "images.npy")
    else:
        images = np.random.default_rng(0).integers(0, 256, (s.train_store, *s.crop, 3), dtype=np.uint8)
    model = ctx.work / "run" / "model.pt"
    return parts.features(
        model if model.exists() else None, images, "sphereface20", s.width, ctx.device, s.feature_batch, s.feature_cap
    )


def part_mtcnn(ctx: Context) -> dict:
    s = ctx.sizes
    weights = parts.find_mtcnn_weights(ctx.mtcnn_weights)
    if weights is None:
        return parts.mtcnn(None, [], ctx.device, s.mtcnn_chunk, s.mtcnn_cap)
    start = time.perf_counter()
    photos = parts.raw_photos(s.mtcnn_images, s.mtcnn_size)
    result = parts.mtcnn(weights, photos, ctx.device, s.mtcnn_chunk, s.mtcnn_cap)
    return {
        **result,
        "render_s": time.perf_counter() - start - result["seconds"],
        "photos": "sphere.synthetic raw photos (face off-centre, clutter), decoded in memory",
    }


# name, seconds it needs at full size to be worth starting, function
PARTS: list[tuple[str, float, Callable[[Context], dict]]] = [
    ("gemm_peak", 10, part_gemm),
    ("flops", 10, part_flops),
    ("step_sphereface20", 60, part_step("sphereface20")),
    ("streamed_store", 20, part_streamed),
    ("train_run", 60, part_train),
    ("megaface", 15, part_megaface),
    ("features", 15, part_features),
    ("mtcnn", 20, part_mtcnn),
    ("step_sphereface64", 90, part_step("sphereface64")),  # last: its compilation is the longest
]


def run_bench(
    out: Path | str = "results/bench",
    budget: float = 420.0,
    tiny: bool | None = None,
    device: str = "auto",
    only: list[str] | None = None,
    mtcnn_weights: str | None = None,
    fallbacks: list[str] | None = None,
    argv: list[str] | None = None,
) -> dict:
    """Run every part (or `only` those) within `budget` seconds; returns the record written to `out`."""
    t0 = time.perf_counter()
    auto = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(auto if device == "auto" else device)
    tiny = dev.type != "cuda" if tiny is None else tiny
    sizes = TINY if tiny else FULL
    info = describe(dev)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(only or ()) - {name for name, _, _ in PARTS}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; valid: {', '.join(n for n, _, _ in PARTS)}")
    record: dict[str, Any] = {
        "schema": 1,
        "command": "sphere bench gpu " + " ".join(argv or []),
        "tiny": tiny,
        "budget_s": budget,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "device": info,
        "stand_ins": fallbacks or [],
        "sizes": sizes.as_dict(),
        "parts": {},
    }
    name_slug = info["slug"] + ("-tiny" if tiny else "")
    with tempfile.TemporaryDirectory(prefix="sphere-bench-") as work:
        ctx = Context(dev, sizes, t0 + budget, record, out / f"{name_slug}.json", Path(work), mtcnn_weights)
        ctx.shared["t0"] = t0
        ctx.save()
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            for name, need, function in PARTS:
                if only and name not in only:
                    continue
                if not tiny and ctx.remaining() < need:
                    record["parts"][name] = {
                        "status": "skipped",
                        "error": f"{ctx.remaining():.0f} s of the budget left, {need:.0f} s needed",
                    }
                    ctx.save()
                    continue
                if not _run_part(ctx, name, function):
                    record["interrupted"] = True
                    break
        finally:
            signal.signal(signal.SIGTERM, previous)
            record["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            ctx.save()
    print("\n".join(report.summary_lines(record)), flush=True)
    print(f"wrote {ctx.json_path} and {ctx.json_path.with_suffix('.md')}", flush=True)
    return record


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _run_part(ctx: Context, name: str, function: Callable[[Context], dict]) -> bool:
    """One part: its figures with status, wall seconds and any error, saved before and after; False when
    the run was interrupted (SIGTERM from `timeout`, or Ctrl-C) and should stop."""
    start = time.perf_counter()
    ctx.record["parts"][name] = {"status": "running"}
    ctx.save()
    print(f"[{time.perf_counter() - ctx.shared['t0']:6.1f} s] {name} ...", flush=True)
    try:
        result = {"status": "ok", **function(ctx)}
    except KeyboardInterrupt as error:
        result = {**ctx.record["parts"].get(name, {}), "status": "interrupted", "error": str(error)}
        ctx.record["parts"][name] = {**result, "wall_s": time.perf_counter() - start}
        ctx.save()
        print(f"{name}: interrupted ({error}); the figures so far are written", flush=True)
        return False
    except Exception as error:  # noqa: BLE001  (record it, go on with the next part)
        result = {**ctx.record["parts"].get(name, {}), **_error(error)}
    result["wall_s"] = time.perf_counter() - start
    ctx.record["parts"][name] = result
    free_memory(ctx.device)
    ctx.save()
    line = report.part_line(name, result)
    print(f"[{time.perf_counter() - ctx.shared['t0']:6.1f} s] {line}", flush=True)
    return True
