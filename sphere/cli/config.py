"""`sphere check-config`: validate a config (and the files it names) and list its methods."""

from __future__ import annotations

import argparse

from sphere.cli.common import Verbs


def check_config(args: argparse.Namespace) -> None:
    import yaml

    from sphere.config import load_config, typed
    from sphere.config.checks import check

    config = load_config(args.config)
    check(config, args.config, paths=True)  # also the user's files and folders the run reads
    cfg = typed(config)
    print(yaml.safe_dump({"run": cfg.run, "methods": list(cfg.methods)}, sort_keys=False), end="")


def register(verbs: Verbs) -> None:
    p = verbs.add_parser("check-config", help="validate a config and list its methods")
    p.add_argument("config", help="run config (YAML)")
    p.set_defaults(func=check_config)
