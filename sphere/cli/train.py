"""Training verbs: train a method, extract a model's features, export a model for distribution."""

from __future__ import annotations

import argparse
from pathlib import Path

from sphere.cli.common import Verbs, default
from sphere.errors import UserError


def train(args: argparse.Namespace) -> None:
    import dataclasses

    from sphere.config import load_config, train_config
    from sphere.train.loop import train_or_record_divergence

    cfg = train_config(load_config(args.config), args.method, args.seed)
    overrides = {k: v for k, v in (("threads", args.threads), ("device", args.device)) if v is not None}
    train_or_record_divergence(dataclasses.replace(cfg, **overrides), Path(args.store), Path(args.out))


def features(args: argparse.Namespace) -> None:
    from sphere.features import extract_store

    if len(args.store) != len(args.out):
        raise UserError(f"{len(args.store)} --store folders but {len(args.out)} --out files")
    for store, out in zip(args.store, args.out):  # one process (one model load) for several stores
        extract_store(Path(args.model), Path(store), Path(out), args.device, args.threads or 0)


def export_model(args: argparse.Namespace) -> None:
    from sphere.models.io import export_model as export

    export(args.model, args.out, half=not args.float32)


def register(verbs: Verbs) -> None:
    p = verbs.add_parser("train", help="train (or resume) one method of a config on a store")
    p.add_argument("--config", required=True)
    p.add_argument("--method", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, help="training seed (init and batch order; default: the config's train.seed)")
    p.add_argument("--threads", type=int)  # None: the config's train.threads
    p.add_argument("--device")  # None: the config's train.device
    p.set_defaults(func=train)

    p = verbs.add_parser("features", help="FC1 features (face + flipped face) of every face in a store")
    p.add_argument("--model", required=True)
    p.add_argument("--store", required=True, nargs="+", help="one or more stores")
    p.add_argument("--out", required=True, nargs="+", help="one .npy per store")
    p.add_argument("--device", default=default("sphere.features:extract_store", "device"))
    p.add_argument("--threads", type=int)
    p.set_defaults(func=features)

    p = verbs.add_parser("export-model", help="a trained model.pt for distribution (float16 weights)")
    p.add_argument("--model", required=True, help="model.pt written by `sphere train`")
    p.add_argument("--out", required=True)
    p.add_argument("--float32", action="store_true", help="keep float32 weights")
    p.set_defaults(func=export_model)
