"""Protocol verbs: the LFW, YTF and MegaFace protocols on `sphere features` output."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sphere.cli.common import Verbs, constant, default


def lfw(args: argparse.Namespace) -> None:
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


def ytf(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.formats.ytf import read_splits
    from sphere.protocols.ytf import aggregation_record, evaluate_ytf, video_features
    from sphere.store.io import read_features, read_store

    store = read_store(args.store)
    splits = read_splits(args.splits)
    features = read_features(args.features, store, args.store)
    videos = video_features(features, store.index["path"].tolist(), args.frame_cap, args.frame_selection)
    result = {
        **evaluate_ytf(videos, splits),
        "aggregation": aggregation_record(args.frame_cap, args.frame_selection),
        "n_videos": len(videos),
    }
    runtime.write_text(args.out, json.dumps(result, indent=2) + "\n")
    print(
        f"YTF protocol: {100 * result['accuracy_mean']:.2f} +- {100 * result['accuracy_std']:.2f} % "
        f"({len(result['splits'])} splits), AUC {result['auc']:.4f}"
    )


def megaface(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.protocols.megaface_lists import evaluate_megaface_lists, list_sizes
    from sphere.store.io import read_features, read_store

    probe, distractor = read_store(args.probe_store), read_store(args.distractor_store)
    result = evaluate_megaface_lists(
        read_features(args.probe_features, probe, args.probe_store),
        probe.index["path"].tolist(),
        read_features(args.distractor_features, distractor, args.distractor_store, mmap=True),
        distractor.index["path"].tolist(),
        Path(args.probe_list),
        Path(args.lists),
        args.sizes or list_sizes(args.lists),
        args.noise_list and Path(args.noise_list),
        None if args.device == "auto" else args.device,
    )
    runtime.write_text(args.out, json.dumps(result, indent=2) + "\n")
    for r in result["results"]:
        tar = r["verification"]["tar_at_far"][0]
        print(
            f"MegaFace {r['distractors']:>8} distractors: rank-1 {100 * r['identification']['rank1']:.2f} %, "
            f"TAR@FAR=1e-6 {100 * tar['tar']:.2f} %{'' if tar['resolved'] else ' (FAR not resolved)'}"
        )


def register(verbs: Verbs) -> None:
    p = verbs.add_parser("lfw", help="the LFW 10-fold protocol on features of an LFW-layout store")
    p.add_argument("--features", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=lfw)

    videos = "sphere.protocols.ytf:video_features"
    p = verbs.add_parser("ytf", help="the YTF 10-split video protocol on frame features of a YTF-layout store")
    p.add_argument("--features", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--splits", required=True)
    p.add_argument("--out", required=True, help="metrics JSON file")
    p.add_argument("--frame-cap", type=int, default=default(videos, "cap"), help="at most this many frames per video")
    p.add_argument(
        "--frame-selection",
        default=default(videos, "selection"),
        choices=list(constant("sphere.protocols.ytf:SELECTIONS")),
    )
    p.set_defaults(func=ytf)

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
    p.add_argument("--device", default="auto")  # auto: the library's own pick (device None)
    p.set_defaults(func=megaface)
