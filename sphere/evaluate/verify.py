"""Pair-verification benchmarks (LFW, YTF, insightface .bin sets) under one rule or all of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sphere.errors import InputError
from sphere.evaluate.benchmarks import PairSet, bin_pairs, lfw_pairs, ytf_pairs
from sphere.evaluate.faces import embed_arrays, embed_files
from sphere.evaluate.sources import Source, read_landmark_list
from sphere.formats.embeddings import Embeddings
from sphere.protocols.rules import DEFAULT_COMBINE, RULES, SOURCES, score_rule
from sphere.protocols.rules import combine as combine_halves


def video_embeddings(frames: Embeddings) -> Embeddings:
    """Frame features -> one feature per video (sphere.protocols.ytf: mean of normalised frames)."""
    from sphere.protocols.ytf import DEFAULT_CAP, video_features

    if frames.names is None:
        raise InputError(f"{frames.source}: YTF needs the frame names of the embeddings (a `names` array)")
    try:
        face = video_features(frames.face, frames.names, DEFAULT_CAP)
        flip = video_features(frames.flip, frames.names, DEFAULT_CAP) if frames.flip is not None else None
    except ValueError as error:
        raise InputError(f"{frames.source}: {error}") from None
    names = list(face)
    return Embeddings(
        np.stack([face[n] for n in names]),
        None if flip is None else np.stack([flip[n] for n in names]),
        names,
        frames.source,
    )


def model_embeddings(source: Source, pairs: PairSet, root: Path | None, bin_images: list | None) -> Embeddings:
    """Run the model on the benchmark's images (a .bin's own, or files under --root)."""
    embedder = source.embedder()
    if bin_images is not None:
        face, flip = embed_arrays(embedder, bin_images)
        return Embeddings(face, flip, None, str(source.model))
    if root is None:
        raise InputError(f"--model on {pairs.benchmark} needs --root, the folder of the benchmark's images")
    names = pairs.items
    if pairs.benchmark == "ytf":
        from sphere.formats.ytf import list_video_frames

        videos = list_video_frames(root)
        names = [str(f.relative_to(root)) for v in pairs.items if v in videos for f in videos[v]]
    landmarks = read_landmark_list(source.landmarks) if source.landmarks else None
    face, flip, record = embed_files(
        embedder, Path(root), names, source.align, landmarks, source.mtcnn_weights, source.device, source.mtcnn_min_face
    )
    source.record.update(record)
    return Embeddings(face, flip, names, str(source.model))


def rows_for_pairs(emb: Embeddings, pairs: PairSet) -> np.ndarray:
    """Embedding row of every item of the pair set (-1 where it has none)."""
    if pairs.line_kind == "pair":  # a .bin set: rows in the file's image order
        if len(emb) != len(pairs.items):
            raise InputError(
                f"{emb.source} has {len(emb)} rows but {pairs.source} holds {len(pairs.items)} images "
                f"({len(pairs)} pairs); rows must follow the .bin's image order"
            )
        return np.arange(len(emb))
    return emb.rows_for(pairs.items)


def check_missing(emb: Embeddings, pairs: PairSet, rows: np.ndarray, allow_missing: bool) -> np.ndarray:
    """Mask of the pairs whose two images have embeddings; InputError unless all do or `allow_missing`."""
    keep = (rows[pairs.first] >= 0) & (rows[pairs.second] >= 0)
    if keep.all():
        return keep
    lacking = np.flatnonzero(~keep)
    k = lacking[0]
    item = pairs.items[pairs.first[k]] if rows[pairs.first[k]] < 0 else pairs.items[pairs.second[k]]
    counts = (
        f"{len(lacking)} of {len(pairs)} pairs lack an embedding; the benchmark needs {len(pairs.items)} "
        f"images, {emb.source} has {len(emb)} rows"
    )
    if not keep.any():
        raise InputError(
            f"{pairs.source}: no pair has both embeddings ({counts}); are the names relative to the "
            f"benchmark's image root?"
        )
    if not allow_missing:
        raise InputError(
            f"{pairs.source}:{pairs.lines[k]}: {item!r} has no embedding in {emb.source} ({counts}; "
            f"--allow-missing scores the rest, marked non-standard)"
        )
    return keep


def load_pairs(benchmark: str, pairs_file: Path | None, bin_file: Path | None) -> tuple[PairSet, list | None]:
    if bin_file is not None:
        from sphere.formats.verification_bin import read_verification_bin

        images, same = read_verification_bin(bin_file)
        return bin_pairs(benchmark, str(bin_file), same), images
    if pairs_file is None:
        raise InputError(f"benchmark {benchmark!r} needs --pairs (LFW pairs.txt / YTF splits.txt) or --bin")
    return (ytf_pairs(pairs_file) if benchmark == "ytf" else lfw_pairs(pairs_file)), None


def _rule_inputs(emb: Embeddings, pairs: PairSet, rule: str, combine: str | None, rows: np.ndarray) -> tuple:
    """(face1, face2, flip1, flip2, how) of the scored pairs for one rule. On YTF the rule's face/flip
    combination is applied per frame, then frames pool into videos (sphere.protocols.ytf)."""
    r1, r2 = rows[pairs.first], rows[pairs.second]
    if pairs.benchmark != "ytf":
        flip = emb.flip
        return (
            emb.face[r1],
            emb.face[r2],
            None if flip is None else flip[r1],
            None if flip is None else flip[r2],
            combine,
        )
    how = combine or DEFAULT_COMBINE[rule]
    videos = video_embeddings(
        Embeddings(combine_halves(emb.face, emb.flip, how).astype(np.float32), None, emb.names, emb.source)
    )
    v = videos.rows_for(pairs.items)
    return videos.face[v[pairs.first]], videos.face[v[pairs.second]], None, None, how


def score_verification(
    benchmark: str,
    source: Source,
    rules: list[str],
    pairs_file: Path | None = None,
    bin_file: Path | None = None,
    root: Path | None = None,
    allow_missing: bool = False,
    combine: str | None = None,
) -> dict:
    """Every requested rule on one benchmark; the first rule's figures head the result."""
    pairs, bin_images = load_pairs(benchmark, pairs_file, bin_file)
    emb = model_embeddings(source, pairs, root, bin_images) if source.kind == "model" else source.precomputed()
    rows = rows_for_pairs(video_embeddings(emb) if benchmark == "ytf" else emb, pairs)
    keep = check_missing(emb, pairs, rows, allow_missing)
    scored = pairs.subset(keep)
    results = {}
    for rule in rules:
        f1, f2, g1, g2, how = _rule_inputs(emb, scored, rule, combine, rows)
        try:
            results[rule] = score_rule(
                rule, f1, f2, scored.same, scored.folds, g1, g2, how, subtract_mean=benchmark != "ytf"
            )
        except InputError as error:
            if rule == rules[0] or len(rules) == 1:
                raise InputError(f"{pairs.source}: {error}") from None
            # under --rule all a rule the pair list cannot satisfy (e.g. < 10 pairs) is reported, not fatal
            results[rule] = {
                "rule": rule,
                "source": SOURCES[rule],
                "accuracy": None,
                "std": None,
                "combine": how or DEFAULT_COMBINE[rule],
                "not_scored": str(error),
            }
        if benchmark == "ytf":
            results[rule]["combine"] = f"{how} per frame, then video mean (sphere.protocols.ytf)"
    head = results[rules[0]]
    out = {
        "benchmark": benchmark,
        **head,
        "pairs_scored": int(keep.sum()),
        "pairs_total": len(pairs),
        "standard": bool(keep.all()),
        "pairs_file": pairs.source,
        "features": source.record,
        "flip_given": emb.flip is not None,
    }
    if len(rules) > 1:
        out["rules"] = results
    return out


def variants_table(result: dict, method: str | None = None) -> pd.DataFrame:
    """One row per rule: accuracy, std and the difference from the released rule (points)."""
    rules = result.get("rules", {result["rule"]: result})
    base = rules.get("released", {}).get("accuracy")

    def r4(x):
        return None if x is None else round(x, 4)

    rows = [
        {
            **({"method": method} if method else {}),
            "benchmark": result.get("name", result["benchmark"]),
            "rule": r,
            "accuracy": r4(v["accuracy"]),
            "std": r4(v["std"]),
            "diff_vs_released": None if base is None or v["accuracy"] is None else round(v["accuracy"] - base, 4),
            "combine": v["combine"],
            "pairs_scored": result["pairs_scored"],
            "standard": result["standard"],
            "source": v["source"],
        }
        for r, v in rules.items()
    ]
    return pd.DataFrame(rows)


ALL_RULES = list(RULES)
