"""`sphere <verb>`: thin commands over library functions, one per DAG stage."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sphere.errors import UserError
from sphere.runtime import set_threads


def cmd_synth(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.synthetic import SyntheticConfig, generate

    # The DAG's rule is the only writer of its folder, so regenerating replaces what is there.
    generate(SyntheticConfig(**load_config(args.config).get("synthetic", {})), Path(args.out), overwrite=True,
             workers=args.workers)


def excluded(path: str | None) -> set[str]:
    from sphere.formats.sources import read_identity_list

    return read_identity_list(path) if path else set()


def cmd_align(args: argparse.Namespace) -> None:
    from sphere.align.store_builder import align_with_landmarks

    counts = align_with_landmarks([Path(r) for r in args.root], Path(args.landmarks), Path(args.out),
                                  tuple(args.crop), detections=args.detections and Path(args.detections),
                                  min_images=args.min_images, exclude=excluded(args.exclude))
    print(f"aligned {counts['images']} images of {counts['identities']} identities "
          f"({counts['dropped_images']} dropped under {args.min_images} per identity): "
          + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("given", "detected", "fallback")), file=sys.stderr)


def cmd_fetch_mtcnn(args: argparse.Namespace) -> None:
    from sphere.align.mtcnn_weights import resolve_mtcnn_weights

    print(resolve_mtcnn_weights(args.local and Path(args.local), Path(args.cache).expanduser()).resolve())


def cmd_detect_landmarks(args: argparse.Namespace) -> None:
    from sphere.align.detect import detect_folder
    from sphere.align.mtcnn_weights import resolve_mtcnn_weights
    from sphere.formats.detections import write_detections
    from sphere.formats.landmarks import write_landmarks

    set_threads(args.threads)
    weights = resolve_mtcnn_weights(args.weights and Path(args.weights), Path(args.cache).expanduser())
    landmarks, outcome, summary = detect_folder([Path(r) for r in args.root], weights, args.device, args.min_images,
                                                args.min_face, args.chunk, exclude=excluded(args.exclude))
    from sphere import runtime

    write_landmarks(args.out, landmarks)
    if args.detections:
        write_detections(Path(args.detections), outcome)
    if args.summary:
        runtime.write_text(args.summary, json.dumps(summary.as_dict(), indent=2) + "\n")
    print(f"MTCNN on {summary.device}: {summary.images} images, {summary.detected} detected "
          f"({100 * summary.rate:.2f} %), {summary.fallback} fallback (centred square, mean layout), "
          f"{summary.seconds:.1f} s ({summary.images / max(summary.seconds, 1e-9):.1f} img/s)", file=sys.stderr)


def cmd_detection_table(args: argparse.Namespace) -> None:
    from sphere.align.detect import summary_table

    if len(args.summary) != len(args.split):
        raise UserError(f"{len(args.summary)} --summary files but {len(args.split)} --split names")
    from sphere import runtime

    runtime.to_csv(summary_table(dict(zip(args.split, map(Path, args.summary)))), args.out, index=False)


def cmd_subset_store(args: argparse.Namespace) -> None:
    from sphere.store.subset import write_top_identities

    write_top_identities(Path(args.store), Path(args.out), args.top)


def cmd_train(args: argparse.Namespace) -> None:
    import dataclasses

    from sphere.config import load_config, train_config
    from sphere.train.loop import train_or_record_divergence

    cfg = train_config(load_config(args.config), args.method, args.seed)
    overrides = {k: v for k, v in (("threads", args.threads), ("device", args.device)) if v is not None}
    train_or_record_divergence(dataclasses.replace(cfg, **overrides), Path(args.store), Path(args.out))


def cmd_features(args: argparse.Namespace) -> None:
    from sphere.features import extract_store

    if len(args.store) != len(args.out):
        raise UserError(f"{len(args.store)} --store folders but {len(args.out)} --out files")
    for store, out in zip(args.store, args.out):  # one process (one model load) for several stores
        extract_store(Path(args.model), Path(store), Path(out), args.device, args.threads or 0)


def cmd_export_model(args: argparse.Namespace) -> None:
    from sphere.models.io import export_model

    export_model(args.model, args.out, half=not args.float32)


def cmd_lfw(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.formats.lfw import read_pairs
    from sphere.protocols.lfw import evaluate_lfw
    from sphere.store.io import read_features, read_store

    store = read_store(args.store)
    pairs = read_pairs(args.pairs)
    result = evaluate_lfw(pairs, read_features(args.features, store, args.store), store.index["path"].tolist())
    out = Path(args.out)
    runtime.to_csv(result.pop("pairs"), out / "pairs.csv", index=False)
    runtime.write_text(out / "lfw.json", json.dumps(result, indent=2) + "\n")
    print(f"LFW protocol: {result['accuracy']:.2f} +- {result['std']:.2f} % (10-fold), AUC {result['auc']:.4f}")


def cmd_synth_ytf(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.synthetic.ytf_videos import YTFSynthConfig, generate_ytf

    section = load_config(args.config).get("ytf", {})
    generate_ytf(YTFSynthConfig(**section.get("synthetic", {})), Path(args.out), overwrite=True, workers=args.workers)


def cmd_synth_megaface(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.synthetic.megaface_sets import (
        MegaFaceSynthConfig,
        generate_megaface,
    )

    section = load_config(args.config).get("megaface", {})
    sizes = {"sizes": section["sizes"]} if "sizes" in section else {}
    generate_megaface(MegaFaceSynthConfig(**section.get("synthetic", {}), **sizes), Path(args.out),
                      overwrite=True, workers=args.workers)


def cmd_ytf(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.formats.ytf import read_splits
    from sphere.protocols.ytf import aggregation_record, evaluate_ytf, video_features
    from sphere.store.io import read_features, read_store

    store = read_store(args.store)
    splits = read_splits(args.splits)
    features = read_features(args.features, store, args.store)
    videos = video_features(features, store.index["path"].tolist(), args.frame_cap, args.frame_selection)
    result = {**evaluate_ytf(videos, splits), "aggregation": aggregation_record(
        args.frame_cap, args.frame_selection), "n_videos": len(videos)}
    runtime.write_text(args.out, json.dumps(result, indent=2) + "\n")
    print(f"YTF protocol: {100 * result['accuracy_mean']:.2f} +- {100 * result['accuracy_std']:.2f} % "
          f"({len(result['splits'])} splits), AUC {result['auc']:.4f}")


def cmd_megaface(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.protocols.megaface_lists import evaluate_megaface_lists, list_sizes
    from sphere.store.io import read_features, read_store

    probe, distractor = read_store(args.probe_store), read_store(args.distractor_store)
    result = evaluate_megaface_lists(
        read_features(args.probe_features, probe, args.probe_store), probe.index["path"].tolist(),
        read_features(args.distractor_features, distractor, args.distractor_store, mmap=True),
        distractor.index["path"].tolist(),
        Path(args.probe_list), Path(args.lists), args.sizes or list_sizes(args.lists),
        args.noise_list and Path(args.noise_list),
        None if args.device == "auto" else args.device)
    runtime.write_text(args.out, json.dumps(result, indent=2) + "\n")
    for r in result["results"]:
        tar = r["verification"]["tar_at_far"][0]
        print(f"MegaFace {r['distractors']:>8} distractors: rank-1 {100 * r['identification']['rank1']:.2f} %, "
              f"TAR@FAR=1e-6 {100 * tar['tar']:.2f} %{'' if tar['resolved'] else ' (FAR not resolved)'}")


def cmd_evaluate(args: argparse.Namespace) -> None:
    from sphere.cli.evaluate import run_evaluate

    run_evaluate(args)


def cmd_report(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.build import build_report

    build_report(load_config(args.config), Path(args.run_dir))


def cmd_claims(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.claims import write_claims

    table = write_claims(load_config(args.config), Path(args.run_dir))
    for row in table.itertuples(index=False):
        print(f"{row.id}: {row.verdict}: {row.claim}: {row.effect:+.3g} [{row.ci_low:.3g}, {row.ci_high:.3g}]",
              file=sys.stderr)


def cmd_reproduce(args: argparse.Namespace) -> None:
    from sphere.config import load_config
    from sphere.report.reproduce import compare_tables

    config = load_config(args.config)
    tolerance = args.tolerance if args.tolerance is not None else config.get("reproduce", {}).get("tolerance", 1.0)
    from sphere.paths import RunPaths

    committed = RunPaths.of(config).tables
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="sphere-reproduce-"))
    fresh = RunPaths(scratch / config["run"])
    command = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--configfile", args.config,
               "--config", f"results={scratch}"]
    print("regenerating:", " ".join(command), flush=True)
    if subprocess.run(command).returncode:
        sys.exit(f"sphere reproduce: the DAG failed; its logs are under {fresh.logs}")
    moved = compare_tables(committed, fresh.tables, tolerance)
    for cell in moved:
        print(cell)
    failed = [c for c in moved if c.fails]
    print(f"{len(moved)} cell(s) moved, {len(failed)} beyond the tolerance of {tolerance} points on accuracy cells")
    if not args.keep and args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        sys.exit(1)


def cmd_bench_train(args: argparse.Namespace) -> None:
    from sphere.bench.train import bench_train

    set_threads(args.threads)
    result = bench_train(args.model, args.width, args.batch, args.classes, tuple(args.crop), args.loss,
                         args.precision, args.compile, args.steps, args.warmup, args.device)
    print(f"{result['device']}: {args.model} x{args.width} batch {args.batch}, {args.classes} classes, "
          f"{args.crop[0]}x{args.crop[1]}, {args.loss}")
    configured = f"configured ({args.precision} precision, compile {args.compile}):"
    print(f"  {configured:<45} {result['configured_img_s']:>9,.0f} img/s")
    print(f"  {'plain eager fp32:':<45} {result['eager_fp32_img_s']:>9,.0f} img/s")
    print(f"  ratio: {result['ratio']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


def cmd_bench_megaface(args: argparse.Namespace) -> None:
    from sphere.protocols.megaface import benchmark_megaface

    seconds = benchmark_megaface(args.probes, args.distractors, args.dim, None if args.device == "auto" else args.device,
                                 chunk=args.chunk)
    print(f"MegaFace ladder: {args.probes} probes x {args.distractors:,} distractors, dim {args.dim}: {seconds:.2f} s")
    if args.json:
        figures = {"seconds": seconds, "probes": args.probes, "distractors": args.distractors, "dim": args.dim}
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


def cmd_bench_gpu(args: argparse.Namespace) -> None:
    from sphere.bench.gpu.compat import install_fallbacks

    replaced = install_fallbacks()  # before anything imports pyyaml or tqdm
    from sphere.bench.gpu.runner import run_bench

    set_threads(args.threads)
    options = [f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
               if k in ("out", "budget", "device", "parts", "mtcnn_weights", "threads") and v not in (None, "")]
    options += ["--tiny"] * args.tiny + ["--full"] * args.full
    record = run_bench(args.out, args.budget, True if args.tiny else False if args.full else None, args.device,
                       args.parts.split(",") if args.parts else None, args.mtcnn_weights, replaced, options)
    if record.get("interrupted"):
        sys.exit(130)


def cmd_check_config(args: argparse.Namespace) -> None:
    import yaml

    from sphere.config import load_config
    from sphere.config.checks import check

    config = load_config(args.config)
    check(config, args.config, paths=True)  # also the user's files and folders the run reads
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
    p.add_argument("--root", required=True, nargs="+",
                   help="folder the landmark list's paths are relative to; several: one identity space, "
                        "paths <root name>/<identity>/<file>")
    p.add_argument("--landmarks", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--crop", type=int, nargs=2, default=[112, 96], metavar=("H", "W"))
    p.add_argument("--detections", help="CSV path,detection from detect-landmarks (default: every face 'given')")
    p.add_argument("--min-images", type=int, default=1, help="leave out identities with fewer listed images")
    p.add_argument("--exclude", help="file of identity folder names to leave out, one per line")
    p.set_defaults(func=cmd_align)

    p = verbs.add_parser("fetch-mtcnn", help="verified MTCNN weights: a local folder, else the facenet-pytorch "
                                             "2.6.0 wheel (pip download) extracted to a cache; prints the folder")
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "sphere" / "mtcnn"))
    p.add_argument("--local", help="folder that may already hold pnet.pt, rnet.pt, onet.pt")
    p.set_defaults(func=cmd_fetch_mtcnn)

    p = verbs.add_parser("detect-landmarks", help="MTCNN 5-point landmarks of an image folder, with a fallback "
                                                  "for images without a detected face")
    p.add_argument("--root", required=True, nargs="+", help="<identity>/<file> folder(s); several: one identity space")
    p.add_argument("--out", required=True, help="landmark list to write")
    p.add_argument("--weights", help="folder with the MTCNN weights (else fetched into --cache)")
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "sphere" / "mtcnn"))
    p.add_argument("--device", default="auto")
    p.add_argument("--min-images", type=int, default=1, help="skip identities with fewer images (all roots)")
    p.add_argument("--exclude", help="file of identity folder names to skip, one per line")
    p.add_argument("--min-face", type=int, default=20, help="smallest face searched, in pixels")
    p.add_argument("--chunk", type=int, default=64, help="images per MTCNN batch")
    p.add_argument("--detections", help="CSV path,detection to write (for align --detections)")
    p.add_argument("--summary", help="JSON with counts, rate, seconds and the fallback paths")
    p.add_argument("--threads", type=int)
    p.set_defaults(func=cmd_detect_landmarks)

    p = verbs.add_parser("detection-table", help="one CSV of the detection summaries of several sets")
    p.add_argument("--summary", required=True, nargs="+", help="--summary JSON files of detect-landmarks")
    p.add_argument("--split", required=True, nargs="+", help="a name per summary")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_detection_table)

    p = verbs.add_parser("subset-store", help="a store of the identities with the most images (toy experiment)")
    p.add_argument("--store", required=True)
    p.add_argument("--top", type=int, default=6)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_subset_store)

    p = verbs.add_parser("train", help="train (or resume) one method of a config on a store")
    p.add_argument("--config", required=True)
    p.add_argument("--method", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, help="training seed (init and batch order; default: the config's train.seed)")
    p.add_argument("--threads", type=int)
    p.add_argument("--device")
    p.set_defaults(func=cmd_train)

    p = verbs.add_parser("features", help="FC1 features (face + flipped face) of every face in a store")
    p.add_argument("--model", required=True)
    p.add_argument("--store", required=True, nargs="+", help="one or more stores")
    p.add_argument("--out", required=True, nargs="+", help="one .npy per store")
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int)
    p.set_defaults(func=cmd_features)

    p = verbs.add_parser("export-model", help="a trained model.pt for distribution (float16 weights)")
    p.add_argument("--model", required=True, help="model.pt written by `sphere train`")
    p.add_argument("--out", required=True)
    p.add_argument("--float32", action="store_true", help="keep float32 weights")
    p.set_defaults(func=cmd_export_model)

    p = verbs.add_parser("lfw", help="the LFW 10-fold protocol on features of an LFW-layout store")
    p.add_argument("--features", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_lfw)

    p = verbs.add_parser("synth-ytf", help="generate the synthetic YouTube Faces videos of a config's ytf section")
    p.add_argument("--config", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workers", type=int, default=1, help="rendering processes (same bytes for any number)")
    p.set_defaults(func=cmd_synth_ytf)

    p = verbs.add_parser("synth-megaface", help="generate the synthetic MegaFace probe and distractor sets")
    p.add_argument("--config", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workers", type=int, default=1, help="rendering processes (same bytes for any number)")
    p.set_defaults(func=cmd_synth_megaface)

    p = verbs.add_parser("ytf", help="the YTF 10-split video protocol on frame features of a YTF-layout store")
    p.add_argument("--features", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--splits", required=True)
    p.add_argument("--out", required=True, help="metrics JSON file")
    p.add_argument("--frame-cap", type=int, default=100, help="at most this many frames per video")
    p.add_argument("--frame-selection", default="even", choices=["even", "first"])
    p.set_defaults(func=cmd_ytf)

    p = verbs.add_parser("megaface", help="MegaFace Challenge 1 rank-1/CMC, TAR@1e-6 and ROC per distractor size")
    p.add_argument("--probe-features", required=True)
    p.add_argument("--probe-store", required=True)
    p.add_argument("--distractor-features", required=True)
    p.add_argument("--distractor-store", required=True)
    p.add_argument("--probe-list", required=True, help="facescrub_features_list.json")
    p.add_argument("--lists", required=True, help="folder of megaface_features_list.json_<size>_1")
    p.add_argument("--sizes", type=int, nargs="+", help="ladder sizes (default: every list in --lists)")
    p.add_argument("--noise-list", help="distractor noise list to remove first")
    p.add_argument("--out", required=True, help="metrics JSON file")
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_megaface)

    from sphere.cli.evaluate import add_evaluate_parser, add_support_parsers

    add_evaluate_parser(verbs, cmd_evaluate)
    add_support_parsers(verbs)
    from sphere.cli.workflow import add_workflow_parsers

    add_workflow_parsers(verbs)

    p = verbs.add_parser("report", help="tables and figures of a run")
    p.add_argument("--config", required=True)
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=cmd_report)

    p = verbs.add_parser("claims", help="the paper's claims with effects, 95 % intervals and verdicts "
                                        "(tables/claims.csv, .md, figures/claims.png)")
    p.add_argument("--config", required=True)
    p.add_argument("--run-dir", required=True)
    p.set_defaults(func=cmd_claims)

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

    p = bench.add_parser("megaface", help="seconds of the MegaFace ladder on random features (devkit scale)")
    p.add_argument("--probes", type=int, default=3530)
    p.add_argument("--distractors", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=512)
    p.add_argument("--chunk", type=int, default=65536)
    p.add_argument("--device", default="auto")
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.set_defaults(func=cmd_bench_megaface)

    p = bench.add_parser("gpu", help="everything at once on one GPU within --budget seconds: steps of SphereFace-20/64 "
                                     "(configured vs eager), a real train() run and the paper schedule projected, "
                                     "streamed store, features, MegaFace 1M, MTCNN; writes <out>/<device>.json and .md")
    p.add_argument("--out", default="results/bench", help="folder for <device>.json and <device>.md")
    p.add_argument("--budget", type=float, default=420.0,
                   help="seconds for the whole run; parts that no longer fit are skipped (compilation is not "
                        "interruptible: run under `timeout` with about 2 minutes to spare)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--tiny", action="store_true", help="tiny sizes (the default without CUDA): seconds on a CPU")
    size.add_argument("--full", action="store_true", help="full sizes even without CUDA (slow)")
    p.add_argument("--device", default="auto")
    p.add_argument("--parts", help="comma-separated subset: gemm_peak, flops, step_sphereface20, streamed_store, "
                                   "train_run, megaface, features, mtcnn, step_sphereface64")
    p.add_argument("--mtcnn-weights", help="folder with pnet.pt, rnet.pt, onet.pt (else $SPHERE_MTCNN_WEIGHTS, "
                                           "./mtcnn-weights, ../shared/data/models/mtcnn, ~/.cache/sphere/mtcnn)")
    p.add_argument("--threads", type=int)
    p.set_defaults(func=cmd_bench_gpu)

    p = verbs.add_parser("check-config", help="validate a config and list its methods")
    p.add_argument("config")
    p.set_defaults(func=cmd_check_config)
    return top


def main(argv: list[str] | None = None) -> None:
    """Run a verb. A user error (bad input, config or environment: sphere.errors.UserError, or a file the
    operating system refused) prints one line `sphere <verb>: <message>` and exits with status 2; any
    other exception is a programming error and keeps its traceback."""
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except UserError as error:
        print(f"sphere {args.verb}: {' '.join(str(error).splitlines())}", file=sys.stderr)
        sys.exit(2)
    except OSError as error:  # missing file, unwritable folder, full disk: the OS names the path
        where = f"{error.filename}: " if error.filename else ""
        print(f"sphere {args.verb}: {where}{error.strerror or error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
