"""Pair-verification benchmarks (LFW, YTF, insightface .bin sets) under one rule or all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sphere.errors import InputError, MissingFile
from sphere.evaluate.benchmarks import PairSet, bin_pairs, lfw_pairs, ytf_pairs
from sphere.evaluate.faces import embed_arrays, embed_files
from sphere.evaluate.notes import note
from sphere.evaluate.sources import Source, read_landmark_list
from sphere.formats.embeddings import Embeddings
from sphere.protocols.rules import DEFAULT_COMBINE, RULES, SOURCES, score_rule
from sphere.protocols.rules import combine as combine_halves
from sphere.protocols.verification import l2_normalise, released_folds, roc_auc, tar_at_far

POOLED_FAR = 1e-3  # the FAR of the pooled TAR reported beside the released rule (tables: lfw_tar_far1e-3)


def aggregation_record(cap: int | None, selection: str) -> dict:
    """How frames became a video feature (sphere.protocols.ytf), recorded with every YTF result."""
    from sphere.protocols.ytf import DEFAULT_CAP
    from sphere.protocols.ytf import aggregation_record as record

    return record(cap or DEFAULT_CAP, selection)


def video_embeddings(frames: Embeddings, cap: int | None = None, selection: str = "even") -> Embeddings:
    """Frame features -> one feature per video (sphere.protocols.ytf: mean of normalised frames, at most
    `cap` frames chosen by `selection`; the protocol's default cap when None)."""
    from sphere.protocols.ytf import DEFAULT_CAP, video_features

    if frames.names is None:
        raise InputError(f"{frames.source}: YTF needs the frame names of the embeddings (a `names` array)")
    cap = cap or DEFAULT_CAP
    try:
        face = video_features(frames.face, frames.names, cap, selection)
        flip = video_features(frames.flip, frames.names, cap, selection) if frames.flip is not None else None
    except ValueError as error:
        raise InputError(f"{frames.source}: {error}") from None
    names = list(face)
    return Embeddings(
        np.stack([face[n] for n in names]),
        None if flip is None else np.stack([flip[n] for n in names]),
        names,
        frames.source,
    )


def present_images(root: Path, names: list[str], allow_missing: bool) -> list[str]:
    """The names whose image is under `root`; a missing one is a MissingFile unless `allow_missing` (its pairs
    are then dropped by check_missing and the result is non-standard)."""
    missing = [n for n in names if not (root / n).is_file()]
    if missing and not allow_missing:
        raise MissingFile(
            root / missing[0],
            f"image not found ({len(missing)} of {len(names)} images are missing; --allow-missing scores the "
            "pairs whose images are there, marked non-standard)",
        )
    if missing:
        note(f"{len(missing)} of {len(names)} images missing under {root}: their pairs are dropped")
    gone = set(missing)
    return [n for n in names if n not in gone]


def check_folds_left(pairs: PairSet, present: set[str]) -> None:
    """Before any image is read: the pairs whose two images are there must span 2 folds or more, since every rule
    chooses its threshold on the other folds (a refusal after detecting every face would waste the work)."""
    have = np.array([name in present for name in pairs.items])
    folds = np.unique(pairs.folds[have[pairs.first] & have[pairs.second]])
    if len(folds) < 2:
        raise InputError(
            f"{pairs.source}: the pairs whose images are all present span {len(folds)} of the file's "
            f"{len(np.unique(pairs.folds))} folds; every rule needs at least 2 (it picks thresholds on the others)"
        )


def model_embeddings(
    source: Source, pairs: PairSet, root: Path | None, bin_images: list | None, allow_missing: bool = False
) -> Embeddings:
    """Run the model on the benchmark's images (a .bin's own, or files under --root)."""
    if bin_images is None:  # check the images before loading the model (a refused input costs nothing)
        if root is None:
            raise InputError(f"--root: --model on {pairs.benchmark} needs the folder of the benchmark's images")
        root = Path(root)
        if not root.is_dir():
            raise MissingFile(root, "image folder (--root) not found")
    embedder = source.embedder()
    if bin_images is not None:
        face, flip = embed_arrays(embedder, bin_images)
        return Embeddings(face, flip, None, str(source.model))
    assert root is not None  # checked above
    names = pairs.items
    if pairs.benchmark == "ytf":
        from sphere.formats.ytf import list_video_frames

        videos = list_video_frames(root)
        names = [str(f.relative_to(root)) for v in pairs.items if v in videos for f in videos[v]]
    else:
        names = present_images(root, names, allow_missing)
        source.record["images_missing"] = len(pairs.items) - len(names)
        check_folds_left(pairs, set(names))
    if not names:
        raise InputError(f"{root}: none of the {len(pairs.items)} images of {pairs.source} is there")
    landmarks = read_landmark_list(source.landmarks) if source.landmarks else None
    face, flip, record = embed_files(
        embedder,
        root,
        names,
        source.align,
        landmarks,
        source.mtcnn_weights,
        source.device,
        source.mtcnn_min_face,
        cache=source.mtcnn_cache,
    )
    source.record.update(record)
    return Embeddings(face, flip, names, str(source.model))


def rows_for_pairs(emb: Embeddings, pairs: PairSet) -> np.ndarray:
    """Embedding row of every item of the pair set (-1 where it has none)."""
    if pairs.line_kind == "pair":  # a .bin set: rows in the file's image order
        if len(emb) != len(pairs.items):
            raise InputError(
                f"{emb.source}: has {len(emb)} rows but {pairs.source} holds {len(pairs.items)} images "
                f"({len(pairs)} pairs); rows must follow the .bin's image order"
            )
        return np.arange(len(emb))
    return emb.rows_for(pairs.items)


def degenerate_rows(emb: Embeddings) -> np.ndarray:
    """Rows whose face (or flip) feature is non-finite or has zero norm: no cosine can be taken."""
    bad = np.zeros(len(emb), bool)
    for half in (emb.face, emb.flip):
        if half is not None:
            finite = np.isfinite(half).all(axis=1)
            bad |= ~finite | (np.abs(np.where(finite[:, None], half, 0)).sum(axis=1) == 0)
    return np.flatnonzero(bad)


def drop_degenerate(emb: Embeddings, rows: np.ndarray, allow_missing: bool) -> np.ndarray:
    """`rows` with the degenerate embedding rows marked absent (-1); InputError naming them unless
    `allow_missing` (their pairs then count as missing)."""
    bad = degenerate_rows(emb)
    if not len(bad):
        return rows
    shown = ", ".join(str(int(r)) for r in bad[:5]) + (", ..." if len(bad) > 5 else "")
    if not allow_missing:
        raise InputError(
            f"{emb.source}: {len(bad)} embedding row(s) are zero or non-finite (rows {shown}, 0-based); "
            "--allow-missing scores the pairs without them, marked non-standard"
        )
    note(f"{emb.source}: {len(bad)} zero or non-finite row(s) ({shown}) count as missing")
    return np.where(np.isin(rows, bad), -1, rows)


def is_standard(benchmark: str, pairs: PairSet, keep: np.ndarray) -> bool:
    """Every pair scored, and the file is the benchmark's standard one: (folds, pairs per fold) of its
    record in sphere.benchmarks (LFW View 2: 10 x 600)."""
    from sphere.benchmarks import BENCHMARKS as RECORDS

    record = RECORDS.get(benchmark)
    if record is None or record.standard is None or not keep.all():
        return False
    folds, per_fold = record.standard
    counts = np.unique(pairs.folds, return_counts=True)[1]
    return len(counts) == folds and bool((counts == per_fold).all())


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


def check_both_kinds(source: str, same: np.ndarray) -> None:
    """Refuse pairs that are all same-identity or all different-identity: no threshold or ROC is defined."""
    if same.all() or not same.any():
        kind, other = ("same-identity", "different-identity") if same.all() else ("different-identity", "same-identity")
        raise InputError(
            f"{source}: all {len(same)} scored pairs are {kind}; verification needs {other} pairs too "
            "(accuracy, thresholds and ROC are undefined without both)"
        )


def load_pairs(benchmark: str, pairs_file: Path | None, bin_file: Path | None) -> tuple[PairSet, list | None]:
    if bin_file is not None:
        from sphere.formats.verification_bin import read_verification_bin

        images, same = read_verification_bin(bin_file)
        try:
            return bin_pairs(benchmark, str(bin_file), same), images
        except InputError as error:  # fewer pairs than folds
            raise InputError(f"{bin_file}: {error}") from None
    if pairs_file is None:
        raise InputError(f"--pairs: benchmark {benchmark!r} needs --pairs (LFW pairs.txt / YTF splits.txt) or --bin")
    return (ytf_pairs(pairs_file) if benchmark == "ytf" else lfw_pairs(pairs_file)), None


def _rule_inputs(
    emb: Embeddings, pairs: PairSet, rule: str, combine: str | None, rows: np.ndarray, videos: dict
) -> tuple:
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
    pooled = video_embeddings(
        Embeddings(combine_halves(emb.face, emb.flip, how).astype(np.float32), None, emb.names, emb.source),
        **videos,
    )
    v = pooled.rows_for(pairs.items)
    return pooled.face[v[pairs.first]], pooled.face[v[pairs.second]], None, None, how


def released_details(
    a: np.ndarray,
    b: np.ndarray,
    same: np.ndarray,
    folds: np.ndarray,
    subtract_mean: bool,
    thresholds: list[float] | None = None,
    held_out: np.ndarray | None = None,
) -> tuple:
    """What the DAG keeps beside the released rule's accuracy (features already combined, one row per pair):
    ROC AUC and TAR at `POOLED_FAR` on one pooled score per pair (the mean over all pair images subtracted
    on LFW), and a per-pair frame: fold, same, pooled score, angle between the raw features, the held-out
    score (its fold's mean subtracted) and whether its fold's threshold gets it right (the paired data of
    McNemar's test in the claims table; a score equal to the threshold is wrong, as in evaluation.m).
    `thresholds` and `held_out` are the released rule's own (`thresholds`, `held_out_scores` of its result);
    without them the folds are run here."""
    if thresholds is None or held_out is None:
        _, thresholds, held_out = released_folds(a, b, same, folds, subtract_mean)
    t = dict(zip(np.unique(folds), thresholds))
    cut = np.array([t[f] for f in folds])
    mu = np.concatenate([a, b]).mean(0) if subtract_mean else 0.0
    pooled = np.sum(l2_normalise(a - mu) * l2_normalise(b - mu), axis=1)
    raw_cos = np.sum(l2_normalise(a) * l2_normalise(b), axis=1)
    roc = {"auc": roc_auc(pooled, same), "far": POOLED_FAR, "tar": tar_at_far(pooled, same, POOLED_FAR)}
    frame = pd.DataFrame(
        {
            "fold": folds,
            "same": same,
            "score": pooled,
            "angle_deg": np.degrees(np.arccos(np.clip(raw_cos, -1, 1))),
            "fold_score": held_out,
            "correct": np.where(same, held_out > cut, held_out < cut),
        }
    )
    return roc, frame


def score_verification(
    benchmark: str,
    source: Source,
    rules: list[str],
    pairs_file: Path | None = None,
    bin_file: Path | None = None,
    root: Path | None = None,
    allow_missing: bool = False,
    combine: str | None = None,
    frame_cap: int | None = None,
    frame_selection: str = "even",
    pair_scores: Path | None = None,
) -> dict:
    """Every requested rule on one benchmark; the first rule's figures head the result. YTF pools at most
    `frame_cap` frames per video (`frame_selection`). With the released rule, its result also holds the
    pooled ROC (`roc`), and `pair_scores` (a CSV path) receives the per-pair frame of `released_details`."""
    pairs, bin_images = load_pairs(benchmark, pairs_file, bin_file)
    if source.kind == "model":
        emb = model_embeddings(source, pairs, root, bin_images, allow_missing)
    else:
        emb = source.precomputed(lenient=True)  # zero and non-finite rows are judged below, with allow_missing
    videos: dict[str, Any] = {"cap": frame_cap, "selection": frame_selection}
    if benchmark == "ytf":  # a degenerate frame is left out of its video's mean
        good = drop_degenerate(emb, np.arange(len(emb)), allow_missing) >= 0
        if not good.all():
            emb = Embeddings(
                emb.face[good],
                None if emb.flip is None else emb.flip[good],
                None if emb.names is None else [n for n, g in zip(emb.names, good) if g],
                emb.source,
            )
        rows = rows_for_pairs(video_embeddings(emb, **videos), pairs)
    else:
        rows = drop_degenerate(emb, rows_for_pairs(emb, pairs), allow_missing)
    keep = check_missing(emb, pairs, rows, allow_missing)
    check_both_kinds(pairs.source, pairs.same[keep])
    if not keep.all():
        note(f"{pairs.source}: {int((~keep).sum())} of {len(pairs)} pairs not scored (missing)")
    scored = pairs.subset(keep)
    results = {}
    for rule in rules:
        f1, f2, g1, g2, how = _rule_inputs(emb, scored, rule, combine, rows, videos)
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
            results[rule]["aggregation"] = aggregation_record(frame_cap, frame_selection)
        if rule == "released" and results[rule]["accuracy"] is not None:
            how = how or DEFAULT_COMBINE[rule]
            a, b = combine_halves(f1, g1, how), combine_halves(f2, g2, how)
            held_out = results[rule].pop("held_out_scores")  # the rule's own folds, not run again
            roc, frame = released_details(
                a, b, scored.same, scored.folds, benchmark != "ytf", results[rule]["thresholds"], held_out
            )
            results[rule]["roc"] = roc
            if pair_scores is not None:
                from sphere import runtime

                runtime.to_csv(frame, pair_scores, index=False)
    head = results[rules[0]]
    out = {
        "benchmark": benchmark,
        **head,
        "pairs_scored": int(keep.sum()),
        "pairs_total": len(pairs),
        "pairs_missing": int((~keep).sum()),
        "folds": len(np.unique(scored.folds)),  # the folds scored; the file's own beside it
        "folds_total": len(np.unique(pairs.folds)),
        "complete": bool(keep.all()),
        "standard": is_standard(benchmark, pairs, keep),
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
            # the table's column says whether every pair of the given file was scored (the committed tables'
            # meaning); the JSON's "standard" also asks for the benchmark's standard file (is_standard)
            "standard": result.get("complete", result["standard"]),
            "source": v["source"],
        }
        for r, v in rules.items()
    ]
    return pd.DataFrame(rows)


ALL_RULES = list(RULES)
