"""`sphere bench train | megaface | scale | gpu`: benchmarks that print figures (and write them as JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sphere.cli.common import Verbs, default
from sphere.runtime import set_threads

JSON_HELP = "also write the figures to this JSON file"


def bench_train(args: argparse.Namespace) -> None:
    from sphere.bench.train import bench_train as bench

    set_threads(args.threads)
    result = bench(
        args.model,
        args.width,
        args.batch,
        args.classes,
        tuple(args.crop),
        args.loss,
        args.precision,
        args.compile,
        args.steps,
        args.warmup,
        args.device,
    )
    print(
        f"{result['device']}: {args.model} x{args.width} batch {args.batch}, {args.classes} classes, "
        f"{args.crop[0]}x{args.crop[1]}, {args.loss}"
    )
    configured = f"configured ({args.precision} precision, compile {args.compile}):"
    print(f"  {configured:<45} {result['configured_img_s']:>9,.0f} img/s")
    print(f"  {'plain eager fp32:':<45} {result['eager_fp32_img_s']:>9,.0f} img/s")
    print(f"  ratio: {result['ratio']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


def bench_megaface(args: argparse.Namespace) -> None:
    from sphere.protocols.megaface import benchmark_megaface

    device = None if args.device == "auto" else args.device
    seconds = benchmark_megaface(args.probes, args.distractors, args.dim, device, chunk=args.chunk)
    print(f"MegaFace ladder: {args.probes} probes x {args.distractors:,} distractors, dim {args.dim}: {seconds:.2f} s")
    if args.json:
        figures = {"seconds": seconds, "probes": args.probes, "distractors": args.distractors, "dim": args.dim}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


def bench_gpu(args: argparse.Namespace) -> None:
    from sphere.bench.gpu.compat import install_fallbacks

    replaced = install_fallbacks()  # before anything imports pyyaml or tqdm
    from sphere.bench.gpu.runner import run_bench

    set_threads(args.threads)
    options = [
        f"--{k.replace('_', '-')} {v}"
        for k, v in vars(args).items()
        if k in ("out", "budget", "device", "parts", "mtcnn_weights", "threads") and v not in (None, "")
    ]
    options += ["--tiny"] * args.tiny + ["--full"] * args.full
    record = run_bench(
        args.out,
        args.budget,
        True if args.tiny else False if args.full else None,
        args.device,
        args.parts.split(",") if args.parts else None,
        args.mtcnn_weights,
        replaced,
        options,
    )
    if record.get("interrupted"):
        sys.exit(130)


def bench_scale(args: argparse.Namespace) -> None:
    from sphere.bench.scale import bench_scale as bench
    from sphere.bench.scale import markdown, write_results

    result = bench(
        args.images, args.identities, args.steps, args.batch, args.workers, args.threads, args.scratch, args.keep
    )
    print(markdown(result))
    if args.out:
        write_results(result, args.out)


def register(verbs: Verbs) -> None:
    bench = verbs.add_parser("bench", help="benchmarks that print figures").add_subparsers(dest="what", required=True)

    train = "sphere.bench.train:bench_train"
    p = bench.add_parser("train", help="training images/s, configured step vs plain eager fp32, same run")
    p.add_argument("--model", default=default(train, "model"), help="network name")
    p.add_argument("--width", type=float, default=default(train, "width"), help="channel width multiplier")
    p.add_argument("--batch", type=int, default=default(train, "batch"), help="images per step")
    p.add_argument("--classes", type=int, default=default(train, "classes"), help="identities of the head")
    p.add_argument(
        "--crop", type=int, nargs=2, default=list(default(train, "crop")), metavar=("H", "W"), help="input size, px"
    )
    p.add_argument("--loss", default=default(train, "loss"), help="loss head")
    p.add_argument(
        "--precision", default=default(train, "precision"), choices=["auto", "bf16", "fp32"], help="matmul precision"
    )
    p.add_argument("--compile", default=default(train, "compile"), choices=["auto", "on", "off"], help="torch.compile")
    p.add_argument("--steps", type=int, default=default(train, "steps"), help="timed steps")
    p.add_argument("--warmup", type=int, default=default(train, "warmup"), help="untimed steps first")
    p.add_argument("--device", default=default(train, "device"), help="torch device")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own)")
    p.add_argument("--json", help=JSON_HELP)
    p.set_defaults(func=bench_train)

    ladder = "sphere.protocols.megaface:benchmark_megaface"
    p = bench.add_parser("megaface", help="seconds of the MegaFace ladder on random features (devkit scale)")
    p.add_argument("--probes", type=int, default=default(ladder, "n_probe"), help="probe images")
    p.add_argument("--distractors", type=int, default=default(ladder, "n_distractors"), help="distractor images")
    p.add_argument("--dim", type=int, default=default(ladder, "dim"), help="feature dimension")
    p.add_argument("--chunk", type=int, default=default(ladder, "chunk"), help="distractors per matmul")
    p.add_argument("--device", default="auto", help="torch device (auto: the library's own pick)")
    p.add_argument("--json", help=JSON_HELP)
    p.set_defaults(func=bench_megaface)

    scale = "sphere.bench.scale:bench_scale"
    p = bench.add_parser(
        "scale",
        help="a CASIA-size synthetic RecordIO -> store -> SphereFace-20 steps on the CPU: images/s, peak RSS, disk "
        "(about 18 GB of scratch at full size)",
    )
    p.add_argument("--images", type=int, default=default(scale, "images"), help="training images")
    p.add_argument("--identities", type=int, default=default(scale, "identities"), help="identities")
    p.add_argument("--steps", type=int, default=default(scale, "steps"), help="timed steps")
    p.add_argument("--batch", type=int, default=default(scale, "batch"), help="images per step")
    p.add_argument("--workers", type=int, default=default(scale, "workers"), help="store-building processes")
    p.add_argument("--threads", type=int, default=default(scale, "threads"), help="training threads")
    p.add_argument("--scratch", help="folder for the RecordIO and the store (default: the system temp folder)")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder")
    p.add_argument("--out", help="write <out>.json and <out>.md (e.g. results/bench/scale-cpu)")
    p.set_defaults(func=bench_scale)

    runner = "sphere.bench.gpu.runner:run_bench"
    p = bench.add_parser(
        "gpu",
        help="everything at once on one GPU within --budget seconds: steps of SphereFace-20/64 "
        "(configured vs eager), a real train() run and the paper schedule projected, "
        "streamed store, features, MegaFace 1M, MTCNN; writes <out>/<device>.json and .md",
    )
    p.add_argument("--out", default=default(runner, "out"), help="folder for <device>.json and <device>.md")
    p.add_argument(
        "--budget",
        type=float,
        default=default(runner, "budget"),
        help="seconds for the whole run; parts that no longer fit are skipped (compilation is not "
        "interruptible: run under `timeout` with about 2 minutes to spare)",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--tiny", action="store_true", help="tiny sizes (the default without CUDA): seconds on a CPU")
    size.add_argument("--full", action="store_true", help="full sizes even without CUDA (slow)")
    p.add_argument("--device", default=default(runner, "device"), help="torch device")
    p.add_argument(
        "--parts",
        help="comma-separated subset: gemm_peak, flops, step_sphereface20, streamed_store, "
        "train_run, megaface, features, mtcnn, step_sphereface64",
    )
    p.add_argument(
        "--mtcnn-weights",
        help="folder with pnet.pt, rnet.pt, onet.pt (else $SPHERE_MTCNN_WEIGHTS, "
        "./mtcnn-weights, ../shared/data/models/mtcnn, ~/.cache/sphere/mtcnn)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own)")
    p.set_defaults(func=bench_gpu)
