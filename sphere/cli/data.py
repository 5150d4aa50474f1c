"""Data verbs: synthetic sets, landmarks, alignment into stores, and store subsets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sphere.align.mtcnn_weights import DEFAULT_CACHE
from sphere.cli.common import Verbs, default, run_config
from sphere.errors import InputError, UserError
from sphere.runtime import set_threads

WORKERS_HELP = "rendering processes (same bytes for any number)"


def excluded(path: str | None) -> set[str]:
    """The identity folder names of an --exclude file (none without one)."""
    from sphere.formats.sources import read_identity_list

    return read_identity_list(path) if path else set()


def synth(args: argparse.Namespace) -> None:
    from sphere.synthetic import generate

    # The DAG's rule is the only writer of its folder, so regenerating replaces what is there.
    generate(run_config(args.config).synthetic, Path(args.out), overwrite=True, workers=args.workers)


def synth_ytf(args: argparse.Namespace) -> None:
    from sphere.config.sections import YTFConfig
    from sphere.synthetic.ytf_videos import generate_ytf

    section = run_config(args.config).ytf or YTFConfig()
    generate_ytf(section.synthetic, Path(args.out), overwrite=True, workers=args.workers)


def synth_megaface(args: argparse.Namespace) -> None:
    import dataclasses

    from sphere.config.sections import MegaFaceConfig
    from sphere.synthetic.megaface_sets import generate_megaface

    section = run_config(args.config).megaface or MegaFaceConfig()
    synthetic = section.synthetic
    if section.sizes:  # the ladder of the megaface section sets the generator's
        synthetic = dataclasses.replace(synthetic, sizes=tuple(section.sizes))
    generate_megaface(synthetic, Path(args.out), overwrite=True, workers=args.workers)


def align(args: argparse.Namespace) -> None:
    from sphere.align.store_builder import align_with_landmarks

    counts = align_with_landmarks(
        [Path(r) for r in args.root],
        Path(args.landmarks),
        Path(args.out),
        tuple(args.crop),
        detections=args.detections and Path(args.detections),
        min_images=args.min_images,
        exclude=excluded(args.exclude),
    )
    print(
        f"aligned {counts['images']} images of {counts['identities']} identities "
        f"({counts['dropped_images']} dropped under {args.min_images} per identity): "
        + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("given", "detected", "fallback")),
        file=sys.stderr,
    )


def store_recordio(args: argparse.Namespace) -> None:
    from sphere.align.store_builder import store_from_recordio

    rec = Path(args.rec)
    idx = Path(args.idx) if args.idx else rec.with_suffix(".idx")
    exclude = excluded(args.exclude)
    names = sorted(name for name in exclude if not name.isdigit())
    if names:
        raise InputError(
            f"{args.exclude}: {names[0]!r} is not a class number (a RecordIO set's identities are its labels)"
        )
    counts = store_from_recordio(
        rec, idx, Path(args.out), tuple(args.crop), args.workers, exclude=exclude, min_images=args.min_images
    )
    print(f"stored {counts['images']} images of {counts['identities']} identities from {rec}", file=sys.stderr)


def fetch_mtcnn(args: argparse.Namespace) -> None:
    from sphere.align.mtcnn_weights import resolve_mtcnn_weights

    print(resolve_mtcnn_weights(args.local and Path(args.local), Path(args.cache).expanduser()).resolve())


def detect_landmarks(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.align.detect import detect_folder
    from sphere.align.mtcnn_weights import resolve_mtcnn_weights
    from sphere.formats.detections import write_detections
    from sphere.formats.landmarks import write_landmarks

    set_threads(args.threads)
    weights = resolve_mtcnn_weights(args.weights and Path(args.weights), Path(args.cache).expanduser())
    landmarks, outcome, summary = detect_folder(
        [Path(r) for r in args.root],
        weights,
        args.device,
        args.min_images,
        args.min_face,
        args.chunk,
        exclude=excluded(args.exclude),
    )
    write_landmarks(args.out, landmarks)
    if args.detections:
        write_detections(Path(args.detections), outcome)
    if args.summary:
        runtime.write_text(args.summary, json.dumps(summary.as_dict(), indent=2) + "\n")
    print(
        f"MTCNN on {summary.device}: {summary.images} images, {summary.detected} detected "
        f"({100 * summary.rate:.2f} %), {summary.fallback} fallback (centred square, mean layout), "
        f"{summary.seconds:.1f} s ({summary.images / max(summary.seconds, 1e-9):.1f} img/s)",
        file=sys.stderr,
    )


def detection_table(args: argparse.Namespace) -> None:
    from sphere import runtime
    from sphere.align.detect import summary_table

    if len(args.summary) != len(args.split):
        raise UserError(f"{len(args.summary)} --summary files but {len(args.split)} --split names")
    runtime.to_csv(summary_table(dict(zip(args.split, map(Path, args.summary)))), args.out, index=False)


def subset_store(args: argparse.Namespace) -> None:
    from sphere.store.subset import write_top_identities

    write_top_identities(Path(args.store), Path(args.out), args.top)


def register(verbs: Verbs) -> None:
    for verb, generator, help_text, func in (
        ("synth", "sphere.synthetic.dataset:generate", "generate the synthetic raw faces of a config", synth),
        (
            "synth-ytf",
            "sphere.synthetic.ytf_videos:generate_ytf",
            "generate the synthetic YouTube Faces videos of a config's ytf section",
            synth_ytf,
        ),
        (
            "synth-megaface",
            "sphere.synthetic.megaface_sets:generate_megaface",
            "generate the synthetic MegaFace probe and distractor sets",
            synth_megaface,
        ),
    ):
        p = verbs.add_parser(verb, help=help_text)
        p.add_argument("--config", required=True, help="run config (YAML)")
        p.add_argument("--out", required=True, help="folder to write")
        p.add_argument("--workers", type=int, default=default(generator, "workers"), help=WORKERS_HELP)
        p.set_defaults(func=func)

    aligner = "sphere.align.store_builder:align_with_landmarks"
    p = verbs.add_parser("align", help="align raw photos with a 5-point landmark list into a packed store")
    p.add_argument(
        "--root",
        required=True,
        nargs="+",
        help="folder the landmark list's paths are relative to; several: one identity space, "
        "paths <root name>/<identity>/<file>",
    )
    p.add_argument("--landmarks", required=True, help="5-point list `path<TAB>x1 y1 ... x5 y5`")
    p.add_argument("--out", required=True, help="store folder to write")
    p.add_argument(
        "--crop", type=int, nargs=2, default=list(default(aligner, "size")), metavar=("H", "W"), help="crop size, px"
    )
    p.add_argument("--detections", help="CSV path,detection from detect-landmarks (default: every face 'given')")
    p.add_argument(
        "--min-images",
        type=int,
        default=default(aligner, "min_images"),
        help="leave out identities with fewer listed images",
    )
    p.add_argument("--exclude", help="file of identity folder names to leave out, one per line")
    p.set_defaults(func=align)

    recordio = "sphere.align.store_builder:store_from_recordio"
    p = verbs.add_parser(
        "store-recordio",
        help="a packed store from an insightface RecordIO training set (aligned 112x112 faces, no detection)",
    )
    p.add_argument("--rec", required=True, help="train.rec (faces_webface_112x112 layout)")
    p.add_argument("--idx", help="its index (default: the .rec's name with .idx)")
    p.add_argument("--out", required=True, help="store folder to write")
    p.add_argument(
        "--crop", type=int, nargs=2, default=list(default(recordio, "size")), metavar=("H", "W"), help="crop size, px"
    )
    p.add_argument("--workers", type=int, default=1, help="decoding processes")
    p.add_argument("--exclude", help="file of class numbers to leave out, one per line (e.g. from sphere leakage)")
    p.add_argument("--min-images", type=int, default=1, help="leave out classes with fewer records")
    p.set_defaults(func=store_recordio)

    p = verbs.add_parser(
        "fetch-mtcnn",
        help="verified MTCNN weights: a local folder, else the facenet-pytorch "
        "2.6.0 wheel (pip download) extracted to a cache; prints the folder",
    )
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="folder the weights are extracted to")
    p.add_argument("--local", help="folder that may already hold pnet.pt, rnet.pt, onet.pt")
    p.set_defaults(func=fetch_mtcnn)

    detector = "sphere.align.detect:detect_folder"
    p = verbs.add_parser(
        "detect-landmarks",
        help="MTCNN 5-point landmarks of an image folder, with a fallback for images without a detected face",
    )
    p.add_argument("--root", required=True, nargs="+", help="<identity>/<file> folder(s); several: one identity space")
    p.add_argument("--out", required=True, help="landmark list to write")
    p.add_argument("--weights", help="folder with the MTCNN weights (else fetched into --cache)")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="where fetched MTCNN weights go")
    p.add_argument("--device", default=default(detector, "device"), help="torch device (auto: CUDA if present)")
    p.add_argument(
        "--min-images",
        type=int,
        default=default(detector, "min_images"),
        help="skip identities with fewer images (all roots)",
    )
    p.add_argument("--exclude", help="file of identity folder names to skip, one per line")
    p.add_argument(
        "--min-face", type=int, default=default(detector, "min_face"), help="smallest face searched, in pixels"
    )
    p.add_argument("--chunk", type=int, default=default(detector, "chunk"), help="images per MTCNN batch")
    p.add_argument("--detections", help="CSV path,detection to write (for align --detections)")
    p.add_argument("--summary", help="JSON with counts, rate, seconds and the fallback paths")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own)")
    p.set_defaults(func=detect_landmarks)

    p = verbs.add_parser("detection-table", help="one CSV of the detection summaries of several sets")
    p.add_argument("--summary", required=True, nargs="+", help="--summary JSON files of detect-landmarks")
    p.add_argument("--split", required=True, nargs="+", help="a name per summary")
    p.add_argument("--out", required=True, help="CSV to write")
    p.set_defaults(func=detection_table)

    p = verbs.add_parser("subset-store", help="a store of the identities with the most images (toy experiment)")
    p.add_argument("--store", required=True, help="store to take identities from")
    p.add_argument(
        "--top",
        type=int,
        default=default("sphere.store.subset:write_top_identities", "n"),
        help="identities to keep",
    )
    p.add_argument("--out", required=True, help="store folder to write")
    p.set_defaults(func=subset_store)
