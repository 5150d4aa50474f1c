"""`sphere evaluate` (argument parsing and the printed lines; logic in sphere.evaluate.run) and its DAG helpers
`evaluate-standins` and `evaluate-table`."""

from __future__ import annotations

import argparse
from pathlib import Path

from sphere.cli.common import Verbs, constant, default

PREPROCESS = "sphere.evaluate.models:Preprocess"
SOURCE = "sphere.evaluate.sources:Source"


def register(verbs: Verbs) -> None:
    from sphere.evaluate.benchmarks import BENCHMARKS  # light: no torch at parser time
    from sphere.protocols.rules import COMBINES, RULES

    p = verbs.add_parser(
        "evaluate",
        help="score a model or embeddings file on a verification benchmark under "
        "a named rule (released, insightface, opensphere, facexzoo, all)",
    )
    what = p.add_argument_group("features (exactly one)")
    what.add_argument("--embeddings", type=Path, help=".npz with names, embeddings [, embeddings_flip]")
    what.add_argument("--model", type=Path, help="sphere model.pt, TorchScript file or .onnx")
    what.add_argument("--features", type=Path, help="a `sphere features` .npy (face|flip halves), with --store")
    what.add_argument("--store", type=Path, help="the store whose index the --features rows follow")
    p.add_argument("--benchmark", required=True, choices=BENCHMARKS)
    p.add_argument("--root", type=Path, help="the benchmark's image folder (names are relative to it)")
    p.add_argument("--pairs", type=Path, help="LFW pairs.txt, or YTF splits.txt")
    p.add_argument("--bin", type=Path, help="insightface verification .bin (lfw, cfp_fp, agedb_30, ...)")
    p.add_argument("--meta", type=Path, help="IJB meta folder (<set>_face_tid_mid.txt, ...)")
    p.add_argument("--rule", default=default("sphere.evaluate.run:evaluate", "rule"), choices=[*RULES, "all"])
    p.add_argument("--combine", choices=list(COMBINES), help="how face and flip join (default: the rule's)")
    p.add_argument("--allow-missing", action="store_true", help="score the pairs that have embeddings; non-standard")
    p.add_argument("--out", type=Path, required=True, help="folder for <benchmark>.json")
    model = p.add_argument_group("model input (TorchScript / ONNX; a sphere model.pt knows its own)")
    model.add_argument(
        "--model-format", default=default(SOURCE, "model_format"), choices=["auto", "sphere", "torchscript", "onnx"]
    )
    model.add_argument("--input-size", type=int, nargs=2, default=list(default(PREPROCESS, "size")), metavar=("H", "W"))
    model.add_argument("--pixel-mean", type=float, default=default(PREPROCESS, "mean"))
    model.add_argument("--pixel-std", type=float, default=default(PREPROCESS, "std"))
    model.add_argument("--channels", default=default(PREPROCESS, "channels"), choices=["rgb", "bgr"])
    model.add_argument("--device", default=default(SOURCE, "device"))
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
        "--mtcnn-min-face",
        type=int,
        default=default(SOURCE, "mtcnn_min_face"),
        help="smallest face MTCNN looks for, px (a config's data.mtcnn_min_face)",
    )
    ijb = p.add_argument_group("IJB-B / IJB-C")
    ijb.add_argument("--no-flip", action="store_true", help="do not add the flip feature (insightface F1 off)")
    ijb.add_argument("--detector-score", action="store_true", help="weight image features by detector score (D1)")
    ijb.add_argument("--norm-score", action="store_true", help="keep image feature norms, no per-image L2 (N1)")
    mf = p.add_argument_group("MegaFace")
    mf.add_argument("--probe-list", type=Path, help="facescrub_features_list.json")
    mf.add_argument("--lists", type=Path, help="folder of megaface_features_list.json_<size>_1")
    mf.add_argument("--sizes", type=int, nargs="+")
    mf.add_argument("--noise-list", type=Path)
    p.add_argument("--method", help="a name for the protocol_variants.csv rows (the DAG's method)")
    p.add_argument("--name", help="name of the result (JSON file, table rows); default: the benchmark")
    p.set_defaults(func=evaluate)
    support(verbs)


def evaluate(args: argparse.Namespace) -> None:
    from sphere.evaluate.models import Preprocess
    from sphere.evaluate.run import evaluate as score
    from sphere.evaluate.run import summary_line
    from sphere.evaluate.sources import Source
    from sphere.evaluate.verify import variants_table

    preprocess = Preprocess(tuple(args.input_size), args.pixel_mean, args.pixel_std, args.channels)
    source = Source(
        args.embeddings,
        args.features,
        args.store,
        args.model,
        args.model_format,
        preprocess,
        args.device,
        args.align,
        args.landmarks,
        args.mtcnn_weights,
        args.mtcnn_min_face,
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
        probe_list=args.probe_list,
        lists=args.lists,
        sizes=args.sizes,
        noise_list=args.noise_list,
    )
    if args.method and args.rule == "all" and "rules" in result:
        variants_table(result, args.method).to_csv(args.out / "protocol_variants.csv", index=False)
    print(summary_line(result))
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
    p.add_argument("--pairs", type=Path, required=True)
    p.add_argument("--root", type=Path, required=True, help="raw test photos (for the IJB loose crops)")
    p.add_argument("--landmarks", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=standins)
    p = verbs.add_parser("evaluate-table", help="protocol_variants.csv (and ijb.csv) of several evaluate results")
    p.add_argument("--results", type=Path, nargs="+", required=True, help="<name>.json files of sphere evaluate")
    p.add_argument("--methods", nargs="+", required=True, help="the method of each result file")
    p.add_argument("--out-dir", type=Path, required=True)
    p.set_defaults(func=table)


def standins(args: argparse.Namespace) -> None:
    from sphere.evaluate.standins import write_standins

    write_standins(args.store, args.pairs, args.root, args.landmarks, args.out)


def table(args: argparse.Namespace) -> None:
    from sphere.evaluate.tables import evaluate_tables

    for path in evaluate_tables(args.results, args.methods, args.out_dir):
        print(path)
