"""`sphere evaluate`: one benchmark, one rule (or all), a JSON per benchmark and a one-line summary."""

from __future__ import annotations

import json
import time
from pathlib import Path

from sphere import runtime
from sphere.benchmarks import BENCHMARKS as BENCHMARK_RECORDS
from sphere.errors import InputError, MissingFile
from sphere.evaluate.benchmarks import BENCHMARKS
from sphere.evaluate.card import protocol_card
from sphere.evaluate.ijb import score_ijb
from sphere.evaluate.notes import held, note
from sphere.evaluate.sources import Source
from sphere.evaluate.verify import ALL_RULES, score_verification, variants_table


def score_megaface(
    source: Source, probe_list: Path, lists: Path, sizes: list[int] | None, noise_list: Path | None
) -> dict:
    """MegaFace Challenge 1 on an embeddings file whose names cover probes and distractors."""
    import numpy as np

    from sphere.protocols.megaface_lists import evaluate_megaface_lists, list_sizes

    if source.kind == "model":
        raise InputError("--model: MegaFace takes --embeddings (or --features/--store): embed its ~1M images first")
    emb = source.precomputed()
    if emb.names is None:
        raise InputError(f"{emb.source}: MegaFace needs the image names of the embeddings (a `names` array)")
    feats = emb.face if emb.flip is None else np.concatenate([emb.face, emb.flip], 1)
    try:
        result = evaluate_megaface_lists(
            feats,
            emb.names,
            feats,
            emb.names,
            Path(probe_list),
            Path(lists),
            sizes or list_sizes(lists),
            noise_list and Path(noise_list),
        )
    except KeyError as error:
        raise InputError(f"{emb.source}: {error.args[0].replace('the store', 'these embeddings')}") from None
    return {
        "benchmark": "megaface",
        "rule": "MegaFace devkit (cosine of normalised features)",
        "standard": True,
        "features": source.record,
        **result,
    }


def summary_line(result: dict) -> str:
    name = result["benchmark"]
    if "accuracy" in result:
        std = "" if result["std"] is None else f" +- {result['std']:.2f}"
        why = "pairs missing" if result.get("pairs_missing", 0) else "not the benchmark's standard pair file"
        extra = "" if result["standard"] else f" NON-STANDARD ({why})"
        folds = f", {result['folds']} folds" if "folds" in result else ""
        if result.get("folds_total", result.get("folds")) != result.get("folds"):
            folds = f", {result['folds']} of the file's {result['folds_total']} folds"
        return (
            f"{name} ({result['rule']} rule): {result['accuracy']:.2f}{std} %, "
            f"{result['pairs_scored']}/{result['pairs_total']} pairs{folds}{extra}"
        )
    if "tar_at_far" in result:
        tar = {r["far"]: r["tar"] for r in result["tar_at_far"]}
        return (
            f"{name} 1:1 ({result['reading']} reading): TAR@FAR=1e-4 {tar[1e-4]:.2f} %, 1e-5 {tar[1e-5]:.2f} %, "
            f"{result['pairs_scored']}/{result['pairs_total']} template pairs, {result['seconds']:.1f} s"
        )
    top = result["results"][-1]
    return f"megaface: rank-1 {100 * top['identification']['rank1']:.2f} % at {top['distractors']} distractors"


def _ijb(benchmark: str, source: Source, rule: str, options: dict) -> dict:
    if options.get("meta") is None:
        raise InputError(f"--meta: {benchmark} needs the folder of {benchmark}_face_tid_mid.txt and friends")
    if not Path(options["meta"]).is_dir():
        raise MissingFile(options["meta"], "IJB meta folder (--meta) not found")
    return score_ijb(
        benchmark,
        source,
        Path(options["meta"]),
        options.get("root"),
        options.get("ijb_flip", True),
        options.get("detector_score", False),
        options.get("norm_score", False),
        options.get("allow_missing", False),
        reading=options.get("ijb_reading") or "insightface",
    )


def _megaface(benchmark: str, source: Source, rule: str, options: dict) -> dict:
    for key, what in (("probe_list", "facescrub_features_list.json"), ("lists", "the folder of distractor lists")):
        if options.get(key) is None:
            raise InputError(f"--{key.replace('_', '-')}: megaface needs {what}")
    return score_megaface(
        source, Path(options["probe_list"]), Path(options["lists"]), options.get("sizes"), options.get("noise_list")
    )


def _verification(benchmark: str, source: Source, rule: str, options: dict) -> dict:
    if BENCHMARK_RECORDS[benchmark].kind == "bin" and options.get("bin") is None:
        raise InputError(f"--bin: {benchmark} is an insightface .bin set: give --bin {benchmark}.bin")
    return score_verification(
        benchmark,
        source,
        ALL_RULES if rule == "all" else [rule],
        options.get("pairs"),
        options.get("bin"),
        options.get("root"),
        options.get("allow_missing", False),
        options.get("combine"),
        options.get("frame_cap"),
        options.get("frame_selection", "even"),
        options.get("pair_scores"),
    )


SCORERS = {"pairs": _verification, "videos": _verification, "bin": _verification, "ijb": _ijb, "megaface": _megaface}


def evaluate(
    benchmark: str, source: Source, out: Path, rule: str = "released", name: str | None = None, **options
) -> dict:
    """Score `benchmark` (a `sphere.benchmarks` protocol), write `out/<name or benchmark>.json` (and
    `protocol_variants.csv` for rule 'all'), both atomically."""
    if benchmark not in BENCHMARKS:
        raise InputError(f"--benchmark: unknown benchmark {benchmark!r}; expected one of {', '.join(BENCHMARKS)}")
    out = Path(out)
    check_outputs(out, name, options)
    start = time.perf_counter()
    with held() as notes:  # printed once the run has scored: a refused input prints its error line alone
        result = SCORERS[BENCHMARK_RECORDS[benchmark].kind](benchmark, source, rule, options)
    for text in notes:
        note(text)
    result["seconds_total"] = round(time.perf_counter() - start, 3)
    result["name"] = name or benchmark
    result["card"] = protocol_card(benchmark, source, result, options)
    runtime.write_text(out / f"{result['name']}.json", json.dumps(result, indent=2, default=float) + "\n")
    if rule == "all" and "rules" in result:
        runtime.to_csv(variants_table(result), out / "protocol_variants.csv", index=False)
    return result


def check_outputs(out: Path, name: str | None, options: dict) -> None:
    """Refuse, before any work, outputs that cannot be written: --out an existing file, a --name that is not a
    plain file name (it would write outside --out), a --pair-scores that is a folder; and a --frame-cap < 1."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out is an existing file, not a folder")
    if name and (name in (".", "..") or any(c in name for c in "/\\\0")):
        raise InputError(f"--name: {name!r} is not a plain file name (it names <out>/<name>.json)")
    pair_scores = options.get("pair_scores")
    if pair_scores is not None and Path(pair_scores).is_dir():
        raise InputError(f"{pair_scores}: --pair-scores is a folder; give the CSV file to write")
    cap = options.get("frame_cap")
    if cap is not None and cap < 1:
        raise InputError(f"--frame-cap: must be >= 1 frame per video, got {cap}")
