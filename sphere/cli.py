"""`sphere <verb>`: thin commands over library functions, one per DAG stage."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def cmd_synth(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.data.synthetic import SyntheticConfig, generate

    # The DAG's rule is the only writer of its folder, so regenerating replaces what is there.
    generate(SyntheticConfig(**load_config(args.config).get("synthetic", {})), Path(args.out), overwrite=True,
             workers=args.workers)


def cmd_align(args: argparse.Namespace) -> None:
    from sphere.align.store_builder import align_with_landmarks

    align_with_landmarks(Path(args.root), Path(args.landmarks), Path(args.out), tuple(args.crop))


def cmd_train(args: argparse.Namespace) -> None:
    import dataclasses

    from sphere.config import load_config, train_config
    from sphere.train import train

    cfg = train_config(load_config(args.config), args.method)
    overrides = {k: v for k, v in (("threads", args.threads), ("device", args.device)) if v is not None}
    train(dataclasses.replace(cfg, **overrides), Path(args.store), Path(args.out))


def cmd_features(args: argparse.Namespace) -> None:
    from sphere.features import extract_store

    extract_store(Path(args.model), Path(args.store), Path(args.out), args.device, args.threads or 0)


def cmd_lfw(args: argparse.Namespace) -> None:
    import numpy as np

    from sphere.data.lfw import read_pairs
    from sphere.data.store import read_store
    from sphere.protocols.lfw import evaluate_lfw

    paths = read_store(args.store).index["path"].tolist()
    result = evaluate_lfw(read_pairs(args.pairs), np.load(args.features), paths)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result.pop("pairs").to_csv(out / "pairs.csv", index=False)
    (out / "lfw.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"LFW protocol: {result['accuracy']:.2f} +- {result['std']:.2f} % (10-fold), AUC {result['auc']:.4f}")


def cmd_report(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.build import build_report

    build_report(load_config(args.config), Path(args.run_dir))


def cmd_reproduce(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.reproduce import compare_tables

    config = load_config(args.config)
    tolerance = args.tolerance if args.tolerance is not None else config.get("reproduce", {}).get("tolerance", 1.0)
    committed = Path(config.get("results", "results")) / config["run"] / "tables"
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="sphere-reproduce-"))
    command = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--configfile", args.config,
               "--config", f"results={scratch}"]
    print("regenerating:", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    moved = compare_tables(committed, scratch / config["run"] / "tables", tolerance)
    for cell in moved:
        print(cell)
    failed = [c for c in moved if c.fails]
    print(f"{len(moved)} cell(s) moved, {len(failed)} beyond the tolerance of {tolerance} points on accuracy cells")
    if not args.keep and args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        sys.exit(1)


def cmd_bench_train(args: argparse.Namespace) -> None:
    from sphere.bench import bench_train

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    result = bench_train(args.model, args.width, args.batch, args.classes, tuple(args.crop), args.loss,
                         args.precision, args.compile, args.steps, args.warmup, args.device)
    print(f"{result['device']}: {args.model} x{args.width} batch {args.batch}, {args.classes} classes, "
          f"{args.crop[0]}x{args.crop[1]}, {args.loss}")
    print(f"  configured ({args.precision} precision, compile {args.compile}): {result['configured_img_s']:,.0f} img/s")
    print(f"  plain eager fp32:                               {result['eager_fp32_img_s']:,.0f} img/s")
    print(f"  ratio: {result['ratio']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


def cmd_check_config(args: argparse.Namespace) -> None:
    from sphere.config import load_config

    config = load_config(args.config)
    print(yaml.safe_dump({"run": config["run"], "methods": list(config["methods"])}, sort_keys=False), end="")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="sphere", description="SphereFace reproduction and benchmark harness")
    verbs = top.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("synth", help="generate the synthetic raw faces of a config")
    p.add_argument("--config", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workers", type=int, default=1, help="rendering processes (same bytes for any number)")
    p.set_defaults(func=cmd_synth)

    p = verbs.add_parser("align", help="align raw photos with a 5-point landmark list into a packed store")
    p.add_argument("--root", required=True, help="folder the landmark list's paths are relative to")
    p.add_argument("--landmarks", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--crop", type=int, nargs=2, default=[112, 96], metavar=("H", "W"))
    p.set_defaults(func=cmd_align)

    p = verbs.add_parser("train", help="train (or resume) one method of a config on a store")
    p.add_argument("--config", required=True)
    p.add_argument("--method", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int)
    p.add_argument("--device")
    p.set_defaults(func=cmd_train)

    p = verbs.add_parser("features", help="FC1 features (face + flipped face) of every face in a store")
    p.add_argument("--model", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int)
    p.set_defaults(func=cmd_features)

    p = verbs.add_parser("lfw", help="the LFW 10-fold protocol on features of an LFW-layout store")
    p.add_argument("--features", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_lfw)

    p = verbs.add_parser("report", help="tables and figures of a run")
    p.add_argument("--config", required=True)
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=cmd_report)

    p = verbs.add_parser("reproduce", help="regenerate a run's tables and compare them with the committed ones")
    p.add_argument("--config", default="config/default.yaml")
    p.add_argument("--tolerance", type=float, help="accuracy points (default: the config's reproduce.tolerance)")
    p.add_argument("--cores", default="all")
    p.add_argument("--scratch", help="results root to regenerate into (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(func=cmd_reproduce)

    bench = verbs.add_parser("bench", help="benchmarks that print figures").add_subparsers(dest="what", required=True)
    p = bench.add_parser("train", help="training images/s, configured step vs plain eager fp32, same run")
    p.add_argument("--model", default="sphereface20")
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--classes", type=int, default=10572)
    p.add_argument("--crop", type=int, nargs=2, default=[112, 96], metavar=("H", "W"))
    p.add_argument("--loss", default="asoftmax")
    p.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    p.add_argument("--compile", default="auto", choices=["auto", "on", "off"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int)
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.set_defaults(func=cmd_bench_train)

    p = verbs.add_parser("check-config", help="validate a config and list its methods")
    p.add_argument("config")
    p.set_defaults(func=cmd_check_config)
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except (ValueError, FileNotFoundError, KeyError) as error:
        print(f"sphere {args.verb}: error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
