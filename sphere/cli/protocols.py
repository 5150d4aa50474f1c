"""The DAG's MegaFace step on `sphere features` output of two stores (LFW and YTF are scored by `sphere evaluate`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sphere.cli.common import Verbs


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
    p = verbs.add_parser("megaface", help="MegaFace Challenge 1 rank-1/CMC, TAR@1e-6 and ROC per distractor size")
    p.add_argument("--probe-features", required=True, help="`sphere features` .npy of the probe store")
    p.add_argument("--probe-store", required=True, help="FaceScrub-layout probe store")
    p.add_argument("--distractor-features", required=True, help="`sphere features` .npy of the distractors")
    p.add_argument("--distractor-store", required=True, help="MegaFace distractor store")
    p.add_argument("--probe-list", required=True, help="facescrub_features_list.json")
    p.add_argument("--lists", required=True, help="folder of megaface_features_list.json_<size>_1")
    p.add_argument("--sizes", type=int, nargs="+", help="ladder sizes (default: every list in --lists)")
    p.add_argument("--noise-list", help="distractor noise list to remove first")
    p.add_argument("--out", required=True, help="metrics JSON file")
    p.add_argument("--device", default="auto", help="torch device (auto: the library's own pick)")
    p.set_defaults(func=megaface)
