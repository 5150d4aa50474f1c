"""`sphere leakage`: identities a training store shares with each test store (logic in sphere.leakage)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sphere.cli.common import Verbs, constant
from sphere.cli.evaluate import model_runtime


def register(verbs: Verbs) -> None:
    p = verbs.add_parser(
        "leakage",
        help="training identities that are also in a test set, by name and by embedding (tables/leakage.csv)",
        description="Embed the training store and each test store with one model, average each identity's "
        "features into a centroid, and list every (train, test) identity pair whose centroid cosine exceeds "
        "the test set's own impostor cosines at --fmr, and every pair of equal names (where neither set "
        "numbers its identities), with scores and a few image paths.",
    )
    p.add_argument("--train-store", type=Path, required=True, help="aligned training store (folder)")
    p.add_argument(
        "--test",
        action="append",
        required=True,
        metavar="NAME=STORE",
        help="a test set's name and aligned store folder (repeat for several: lfw=..., ytf=...)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", type=Path, help="any model `sphere evaluate --model` loads")
    which.add_argument("--run-dir", type=Path, help="a run folder: its best method's model (report.json)")
    p.add_argument(
        "--fmr",
        type=float,
        help="false-match rate per centroid pair (default: "
        f"{constant('sphere.leakage.match:FALSE_PER_IDENTITY')} / training identities, i.e. that many false "
        "candidates expected per test identity)",
    )
    model_runtime(p)
    p.add_argument("--out", type=Path, required=True, help="the candidates .csv (a .md summary beside it)")
    p.add_argument("--figure", type=Path, help="score histograms per test set (.png)")
    p.set_defaults(func=leakage)


def test_sets(specs: list[str]) -> dict[str, Path]:
    from sphere.errors import InputError

    sets: dict[str, Path] = {}
    for spec in specs:
        name, sep, folder = spec.partition("=")
        if not sep or not name or not folder:
            raise InputError(f"--test: {spec}: expected NAME=STORE_FOLDER (e.g. lfw=results/run/stores/test)")
        if name in sets:
            raise InputError(f"--test: {name}: named twice")
        sets[name] = Path(folder)
    return sets


def leakage(args: argparse.Namespace) -> None:
    from sphere.leakage.report import best_model, run_leakage

    tests = test_sets(args.test)
    model = args.model if args.model is not None else best_model(args.run_dir)
    summary = run_leakage(
        args.train_store, tests, model, args.out, args.figure, args.fmr, args.device, args.model_format
    )
    print(f"model: {model}")
    for row in summary.itertuples(index=False):
        named = "" if row.by_name is None or row.by_name != row.by_name else f", {row.by_name} by name"
        print(
            f"{row.test_set}: {row.by_embedding} candidates by embedding{named} "
            f"(threshold {row.threshold:.4f} at fmr {row.fmr:.3g}; {row.expected_false:.2f} false expected; "
            f"estimated recall {row.recall_estimate:.3g})"
        )
