"""Training verbs: train a method, extract a model's features, export a model for distribution."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sphere.cli.common import Verbs, constant, default
from sphere.errors import UserError


def train(args: argparse.Namespace) -> None:
    import dataclasses

    from sphere.config import load_config, train_config
    from sphere.train.loop import train_or_record_divergence

    if len(args.embed) != len(args.embed_out):
        raise UserError(f"{len(args.embed)} --embed stores but {len(args.embed_out)} --embed-out files")
    cfg = train_config(load_config(args.config), args.method, args.seed)
    overrides = {k: v for k, v in (("threads", args.threads), ("device", args.device)) if v is not None}
    model = train_or_record_divergence(dataclasses.replace(cfg, **overrides), Path(args.store), Path(args.out))
    if args.embed and os.environ.get("RANK", "0") == "0":  # the DAG's features, in this process (one torch start)
        from sphere.features import extract_store

        for store, out in zip(args.embed, args.embed_out):  # one thread, as a features job of its own would run
            extract_store(model, Path(store), Path(out), cfg.device if args.device is None else args.device, 1)


def features(args: argparse.Namespace) -> None:
    from sphere.features import extract_store

    if len(args.store) != len(args.out):
        raise UserError(f"{len(args.store)} --store folders but {len(args.out)} --out files")
    for store, out in zip(args.store, args.out):  # one process (one model load) for several stores
        extract_store(Path(args.model), Path(store), Path(out), args.device, args.threads or 0)


def export_model(args: argparse.Namespace) -> None:
    from sphere.models.export import export

    path, card = export(args.model, args.out, args.format, half=not args.float32)
    print(f"{path}: {args.format}, input {card['input_size'][0]}x{card['input_size'][1]}, card inside")


def ship(args: argparse.Namespace) -> None:
    from sphere.models.export import ship

    outcome = ship(args.checkpoint, args.model, args.status)
    print(f"{args.checkpoint}: shipped, training {outcome['status']}")


def register(verbs: Verbs) -> None:
    p = verbs.add_parser("train", help="train (or resume) one method of a config on a store")
    p.add_argument("--config", required=True, help="run config (YAML)")
    p.add_argument("--method", required=True, help="a method of the config")
    p.add_argument("--store", required=True, help="training store")
    p.add_argument("--out", required=True, help="folder for model.pt, checkpoints and logs")
    p.add_argument("--seed", type=int, help="training seed (init and batch order; default: the config's train.seed)")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: the config's train.threads)")
    p.add_argument("--device", help="torch device (default: the config's train.device)")
    p.add_argument("--embed", nargs="*", default=[], metavar="STORE", help="after training, embed these stores")
    p.add_argument("--embed-out", nargs="*", default=[], metavar="NPY", help="one features .npy per --embed store")
    p.set_defaults(func=train)

    p = verbs.add_parser("features", help="FC1 features (face + flipped face) of every face in a store")
    p.add_argument("--model", required=True, help="model.pt written by `sphere train`")
    p.add_argument("--store", required=True, nargs="+", help="one or more stores")
    p.add_argument("--out", required=True, nargs="+", help="one .npy per store")
    p.add_argument("--device", default=default("sphere.features:extract_store", "device"), help="torch device")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own)")
    p.set_defaults(func=features)

    p = verbs.add_parser(
        "export-model",
        help="a trained model.pt for distribution (pt: float16 weights; onnx; torchscript), with its "
        "preprocessing card inside (sphere evaluate --model reads it)",
    )
    p.add_argument("--model", required=True, help="model.pt written by `sphere train`")
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--format", default="pt", choices=list(constant("sphere.models.export:FORMATS")), help="file format")
    p.add_argument("--float32", action="store_true", help="pt: keep float32 weights")
    p.set_defaults(func=export_model)

    p = verbs.add_parser("ship", help="a committed checkpoint as a training cell of score_shipped (model + status)")
    p.add_argument("--checkpoint", required=True, help="an exported .pt (results/<run>/checkpoints/<method>.pt)")
    p.add_argument("--model", required=True, help="the model.pt to write (a copy)")
    p.add_argument("--status", required=True, help="the status.json to write: the training outcome its card records")
    p.set_defaults(func=ship)
