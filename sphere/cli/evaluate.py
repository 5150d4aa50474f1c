"""`sphere evaluate` (argument parsing and the printed lines; logic in sphere.evaluate.run) and its DAG helpers
`evaluate-standins` and `evaluate-table`."""

from __future__ import annotations

import argparse
from pathlib import Path

from sphere.cli.common import Verbs, constant, default, one_line_errors

PREPROCESS = "sphere.evaluate.models:Preprocess"
SOURCE = "sphere.evaluate.sources:Source"
PIXEL = tuple(default(PREPROCESS, key) for key in ("mean", "std", "channels"))
EXAMPLES = """examples:
  # an embeddings file (names relative to the LFW image folder, optional embeddings_flip) under every rule
  sphere evaluate --embeddings lfw_emb.npz --benchmark lfw --pairs lfw/pairs.txt --rule all --out results/mine

  # a model on raw LFW photos, aligned here by MTCNN (landmarks cached); a few absent images are tolerated
  sphere evaluate --model model.onnx --benchmark lfw --root lfw/images --pairs lfw/pairs.txt \\
      --align mtcnn --mtcnn-weights "$(sphere step fetch-mtcnn)" --allow-missing --out results/mine

  # an insightface .bin set (its own aligned 112x112 images), scored by a sphere model
  sphere evaluate --model model.pt --benchmark agedb_30 --bin agedb_30.bin --out results/mine
"""


def model_runtime(group: argparse._ActionsContainer) -> None:
    """--model-format and --device: how any verb that runs a model (evaluate, leakage) loads and places it."""
    group.add_argument(
        "--model-format",
        default=default(SOURCE, "model_format"),
        choices=["auto", "sphere", "torchscript", "onnx"],
        help="auto: .onnx by suffix, else a sphere model.pt, else TorchScript",
    )
    group.add_argument("--device", default=default(SOURCE, "device"), help="torch device, or auto (CUDA if present)")


def register(verbs: Verbs) -> None:
    from sphere.evaluate.benchmarks import BENCHMARKS  # light: no torch at parser time
    from sphere.protocols.rules import COMBINES, RULES

    p = verbs.add_parser(
        "evaluate",
        help="score a model or embeddings file on a verification benchmark under "
        "a named rule (released, insightface, opensphere, facexzoo, all)",
        description="Score a model or an embeddings file on a benchmark under a named rule (or all of them); "
        "writes <out>/<name>.json and prints one line per rule.",
        epilog=EXAMPLES,
    )
    what = p.add_argument_group("features (exactly one)")
    what.add_argument("--embeddings", type=Path, help=".npz with names, embeddings [, embeddings_flip]")
    what.add_argument("--model", type=Path, help="sphere model.pt, TorchScript file or .onnx")
    what.add_argument("--features", type=Path, help="a `sphere features` .npy (face|flip halves), with --store")
    what.add_argument("--store", type=Path, help="the store whose index the --features rows follow")
    p.add_argument("--benchmark", required=True, choices=BENCHMARKS, help="which benchmark the pairs belong to")
    p.add_argument("--root", type=Path, help="the benchmark's image folder (names are relative to it)")
    p.add_argument("--pairs", type=Path, help="LFW pairs.txt, or YTF splits.txt")
    p.add_argument("--bin", type=Path, help="insightface verification .bin (lfw, cfp_fp, agedb_30, ...)")
    p.add_argument("--meta", type=Path, help="IJB meta folder (<set>_face_tid_mid.txt, ...)")
    p.add_argument(
        "--rule",
        default=default("sphere.evaluate.run:evaluate", "rule"),
        choices=[*RULES, "all"],
        help="whose evaluation code to follow (all: every rule, and protocol_variants.csv)",
    )
    p.add_argument("--combine", choices=list(COMBINES), help="how face and flip join (default: the rule's)")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="score the pairs whose two images have features (absent images, zero or non-finite embedding rows "
        "drop their pairs; the count is printed and recorded, and the result is non-standard)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder for <benchmark>.json")
    model = p.add_argument_group(
        "model input (a sphere model.pt, and any `sphere export-model` file, carries its own; a flag overrides it)"
    )
    model_runtime(model)
    model.add_argument(
        "--input-size",
        type=int,
        nargs=2,
        metavar=("H", "W"),
        help="crop size the model takes (default: the model's card, a sphere model.pt or a fixed ONNX input "
        "shape; required for other TorchScript/ONNX models)",
    )
    model.add_argument(
        "--pixel-mean", type=float, help=f"x -> (x - mean) / std (default: the model's card, else {PIXEL[0]})"
    )
    model.add_argument("--pixel-std", type=float, help=f"(default: the model's card, else {PIXEL[1]})")
    model.add_argument(
        "--channels",
        choices=["rgb", "bgr"],
        help=f"channel order (default: the card's, else {PIXEL[2]})",
    )
    model.add_argument(
        "--align",
        default=default(SOURCE, "align"),
        choices=list(constant("sphere.evaluate.faces:ALIGN")),
        help="none: images are aligned, cut to the model's aspect about the centre and resized; landmarks: "
        "--landmarks list (IJB: its 5pts file); mtcnn: detect here",
    )
    model.add_argument("--landmarks", type=Path, help="5-point list `path<TAB>x1 y1 ... x5 y5`")
    model.add_argument("--mtcnn-weights", type=Path, help="folder with pnet.pt, rnet.pt, onet.pt")
    model.add_argument(
        "--mtcnn-cache",
        type=Path,
        help="folder of cached MTCNN landmarks, keyed by image content and detector settings (default: "
        f"{constant('sphere.align.detect:LANDMARK_CACHE')})",
    )
    model.add_argument(
        "--mtcnn-min-face",
        type=int,
        default=default(SOURCE, "mtcnn_min_face"),
        help="smallest face MTCNN looks for, px (a config's data.mtcnn_min_face)",
    )
    ijb = p.add_argument_group("IJB-B / IJB-C")
    ijb.add_argument("--no-flip", action="store_true", help="do not add the flip feature (insightface F1 off)")
    ijb.add_argument("--detector-score", action="store_true", help="weight image features by detector score (D1)")
    ijb.add_argument("--norm-score", action="store_true", help="keep image feature norms, no per-image L2 (N1)")
    ijb.add_argument(
        "--ijb-reading",
        default="insightface",
        choices=list(constant("sphere.protocols.ijb:READINGS")),
        help="which reading heads TAR at FAR and TPIR at FPIR (the other is reported beside it)",
    )
    ytf = p.add_argument_group("YouTube Faces")
    ytf.add_argument(
        "--frame-cap", type=int, help="at most this many frames per video feature (default: the protocol's 100)"
    )
    ytf.add_argument(
        "--frame-selection",
        default="even",
        choices=list(constant("sphere.protocols.ytf:SELECTIONS")),
        help="which frames under the cap: evenly spaced or the first (default: %(default)s)",
    )
    p.add_argument(
        "--pair-scores", type=Path, help="released rule: also write every pair's scores and verdict to this CSV"
    )
    mf = p.add_argument_group("MegaFace")
    mf.add_argument("--probe-list", type=Path, help="facescrub_features_list.json")
    mf.add_argument("--lists", type=Path, help="folder of megaface_features_list.json_<size>_1")
    mf.add_argument("--sizes", type=int, nargs="+", help="distractor ladder sizes (default: every list in --lists)")
    mf.add_argument("--noise-list", type=Path, help="distractor noise list to remove first")
    p.add_argument("--method", help="a name for the protocol_variants.csv rows (the DAG's method)")
    p.add_argument("--name", help="name of the result (JSON file, table rows); default: the benchmark")
    p.set_defaults(func=evaluate)
    one_line_errors(p)
    support(verbs)


def evaluate(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.evaluate.card import summary as card_summary
    from sphere.evaluate.run import evaluate as score
    from sphere.evaluate.run import summary_line
    from sphere.evaluate.sources import Source
    from sphere.evaluate.verify import variants_table

    flags = {"size": args.input_size, "mean": args.pixel_mean, "std": args.pixel_std, "channels": args.channels}
    source = Source(
        embeddings=args.embeddings,
        features=args.features,
        store=args.store,
        model=args.model,
        model_format=args.model_format,
        device=args.device,
        align=args.align,
        landmarks=args.landmarks,
        mtcnn_weights=args.mtcnn_weights,
        mtcnn_min_face=args.mtcnn_min_face,
        mtcnn_cache=args.mtcnn_cache,
        flags=flags,
    )
    result = score(
        args.benchmark,
        source,
        args.out,
        args.rule,
        name=args.name,
        root=args.root,
        pairs=args.pairs,
        bin=args.bin,
        meta=args.meta,
        allow_missing=args.allow_missing,
        combine=args.combine,
        ijb_flip=not args.no_flip,
        detector_score=args.detector_score,
        norm_score=args.norm_score,
        ijb_reading=args.ijb_reading,
        probe_list=args.probe_list,
        lists=args.lists,
        sizes=args.sizes,
        noise_list=args.noise_list,
        frame_cap=args.frame_cap,
        frame_selection=args.frame_selection,
        pair_scores=args.pair_scores,
    )
    if args.method and args.rule == "all" and "rules" in result:
        runtime.to_csv(variants_table(result, args.method), args.out / "protocol_variants.csv", index=False)
    print(summary_line(result))
    print(card_summary(result["card"]))
    for name, r in result.get("rules", {}).items():
        if r["accuracy"] is None:
            print(f"  {name:<12} not scored: {r['not_scored']}")
            continue
        std = "" if r["std"] is None else f" +- {r['std']:.2f}"
        print(f"  {name:<12} {r['accuracy']:6.2f}{std} %  ({r['combine']}; {r['source']})")


def support(verbs: Verbs) -> None:
    """`sphere evaluate-standins` and `sphere evaluate-table`, the DAG's helpers around `evaluate`."""
    p = verbs.add_parser("evaluate-standins", help="write the .bin and IJB-C-format stand-ins of a synthetic run")
    p.add_argument("--store", type=Path, required=True, help="aligned test store (for the .bin)")
    p.add_argument("--pairs", type=Path, required=True, help="LFW pairs.txt of the store")
    p.add_argument("--root", type=Path, required=True, help="raw test photos (for the IJB loose crops)")
    p.add_argument("--landmarks", type=Path, required=True, help="5-point list of the raw test photos")
    p.add_argument("--out", type=Path, required=True, help="folder to write")
    p.set_defaults(func=standins)
    p = verbs.add_parser("evaluate-table", help="protocol_variants.csv (and ijb.csv) of several evaluate results")
    p.add_argument("--results", type=Path, nargs="+", required=True, help="<name>.json files of sphere evaluate")
    p.add_argument("--methods", nargs="+", required=True, help="the method of each result file")
    p.add_argument("--out-dir", type=Path, required=True, help="folder for the tables")
    p.set_defaults(func=table)
    p = verbs.add_parser(
        "evaluate-compare", help="list where the protocol cards of two `sphere evaluate` results differ (exit 1 if any)"
    )
    p.add_argument("results", type=Path, nargs=2, metavar="RESULT", help="<name>.json files of sphere evaluate")
    p.set_defaults(func=compare)


def standins(args: argparse.Namespace) -> None:
    from sphere.evaluate.standins import write_standins

    write_standins(args.store, args.pairs, args.root, args.landmarks, args.out)


def compare(args: argparse.Namespace) -> None:
    from sphere.evaluate.card import compare_results

    lines = compare_results(*args.results)
    print("\n".join(lines) if lines else "the protocol cards agree (file paths aside)")
    if lines:
        raise SystemExit(1)


def table(args: argparse.Namespace) -> None:
    from sphere.evaluate.tables import evaluate_tables

    for path in evaluate_tables(args.results, args.methods, args.out_dir):
        print(path)
