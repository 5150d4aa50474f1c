"""The protocol card of a `sphere evaluate` result (issue 25): everything that moves a number besides the
features themselves, machine-readable, so two numbers can be told comparable or not.

A card holds: the benchmark's files (SHA-256) with pair and fold counts; the rule and its source; how the
flip half was fused; how the threshold (or, on IJB, the TAR/TPIR reading) was chosen; the alignment template
and detector with their settings; test-time switches (IJB's N/D/F modes, YTF's frame cap); the features'
file (SHA-256) and the preprocessing a model was run with. `summary` is its one printed line, `differences`
lists where two cards disagree (`sphere evaluate-compare`).
"""

from __future__ import annotations

import json
from pathlib import Path

from sphere.errors import InputError
from sphere.runtime import sha256_file

CARD_VERSION = 1
# how each pair-verification rule (sphere.protocols.rules) turns scores into same/different decisions
THRESHOLD_RULES = {
    "released": "per test fold, the mean of the grid thresholds (-1..1 step 1e-4) that reach the best accuracy "
    "on the other folds; same when cosine > t",
    "insightface": "per test fold, the first of thresholds 0..4 step 0.01 (squared L2 distance) with the best "
    "accuracy on the other folds; same when distance < t",
    "opensphere": "one threshold for all pairs, the best over every distinct score; same when cosine >= t",
    "facexzoo": "per test fold, the first of 1000 thresholds over the other folds' scores maximising TPR - FPR; "
    "same when cosine > t",
}
IJB_SOURCE = "deepinsight/insightface recognition/arcface_torch/eval_ijbc.py (b0127a9)"
ALIGN_TEMPLATE = "SphereFace 5-point template (sphere.align.similarity.TEMPLATE_112x96), scaled to the crop"
IGNORED = ("path",)  # keys whose values differ between machines without changing a number


def _file(path: Path | str | None) -> dict | None:
    if path is None:
        return None
    path = Path(path)
    return {"name": path.name, "path": str(path), "sha256": sha256_file(path) if path.is_file() else None}


def _benchmark(benchmark: str, result: dict, options: dict) -> dict:
    """Which files were scored, how many pairs (and folds) they hold and how many were scored."""
    if "tar_at_far" in result:  # IJB
        from sphere.formats.ijb import meta_paths

        paths = meta_paths(options["meta"], benchmark)
        files = {key: _file(p) for key, p in paths.items() if p.is_file()}
        return {
            "name": benchmark,
            "files": files,
            "pairs": result["pairs_total"],
            "pairs_scored": result["pairs_scored"],
            "folds": None,
            "standard": result["standard"],
        }
    if "accuracy" in result:
        return {
            "name": benchmark,
            "files": {"pairs": _file(result.get("pairs_file"))},
            "pairs": result["pairs_total"],
            "pairs_scored": result["pairs_scored"],
            "folds": result.get("folds_total", result.get("folds")),  # the file's; scored: folds_scored
            "folds_scored": result.get("folds"),
            "standard": result["standard"],
        }
    files = {"probe_list": _file(options.get("probe_list")), "noise_list": _file(options.get("noise_list"))}
    lists = Path(options["lists"]) if options.get("lists") else None
    if lists is not None and lists.is_dir():
        files.update({f"lists/{p.name}": _file(p) for p in sorted(lists.iterdir()) if p.is_file()})
    return {"name": benchmark, "files": files, "pairs": None, "folds": None, "standard": result.get("standard")}


def _rule(result: dict) -> dict:
    """The rule, its source and its threshold rule (IJB: the TAR/TPIR reading)."""
    if "tar_at_far" in result:
        from sphere.protocols.ijb import READINGS

        reading = result.get("reading", "insightface")
        return {
            "name": result["rule"],
            "source": IJB_SOURCE,
            "threshold": f"{reading} reading: {READINGS[reading]}",
            "others_reported": sorted(set(READINGS) - {reading}),
        }
    if "accuracy" in result:
        rules = list(result.get("rules", {result["rule"]: result}))
        return {
            "name": result["rule"],
            "source": result["source"],
            "threshold": THRESHOLD_RULES.get(result["rule"]),
            "others_reported": [r for r in rules if r != result["rule"]],
        }
    return {"name": result.get("rule"), "source": "MegaFace devkit", "threshold": "none (identification rank-1)"}


def _flip(result: dict) -> str:
    if "tar_at_far" in result:
        return "face + flip summed (F1)" if result["options"]["flip"] else "face only (F0)"
    return str(result.get("combine", "face and flip concatenated (MegaFace lists)"))


def _test_time(result: dict) -> dict:
    """Switches applied at test time: IJB's modes in eval_ijbc.py's N/D/F naming, YTF's frame pooling."""
    if "tar_at_far" in result:
        o = result["options"]
        mode = f"N{int(o['norm_score'])}D{int(o['detector_score'])}F{int(o['flip'])}"
        return {"ijb_mode": mode, **o, "one_to_n": "one_to_n" in result}
    aggregation = result.get("aggregation")
    return {"ytf_aggregation": aggregation} if aggregation else {}


def _alignment(source, result: dict, benchmark: str) -> dict:
    """How the faces were cut before the features: by the model run here, or before (given features)."""
    record = source.record
    if record.get("input") != "model":
        if record.get("input") == "store features":
            return {"align": "store", "template": ALIGN_TEMPLATE, "detector": "as the store was built"}
        return {"align": "unknown (precomputed embeddings)", "template": None, "detector": None}
    if "align" not in record:  # a .bin's images: aligned by whoever packed it
        return {"align": "as packed in the .bin", "template": None, "detector": None}
    align = record["align"]
    detector = None
    if align == "mtcnn":
        weights = Path(source.mtcnn_weights)
        detector = {
            "name": "MTCNN",
            "min_face": source.mtcnn_min_face,
            "weights": {p.name: sha256_file(p) for p in sorted(weights.glob("*.pt"))},
            "fallback_images": record.get("mtcnn_fallback"),
        }
    elif align == "landmarks":
        detector = {"name": "given 5-point landmarks", "file": _file(source.landmarks)}
        if "tar_at_far" in result and source.landmarks is None:
            detector["file"] = f"{benchmark}_name_5pts_score.txt (the meta's)"
    return {"align": align, "template": ALIGN_TEMPLATE if align != "none" else None, "detector": detector}


def _features(source) -> dict:
    """The features' file with its hash, and the preprocessing a model was run with."""
    record = dict(source.record)
    path = source.embeddings or source.features or source.model
    out = {"input": record.pop("input", source.kind), "file": _file(path)}
    if source.kind == "model":
        keys = ("model", "input_size", "pixel_mean", "pixel_std", "channels")
        out["preprocessing"] = {k: record[k] for k in keys if k in record}
    if source.kind == "features":
        out["store_index"] = _file(Path(source.store) / "index.csv")
    out.update({k: v for k, v in record.items() if k not in ("file", "align", "mtcnn_fallback", *out)})
    return out


def protocol_card(benchmark: str, source, result: dict, options: dict) -> dict:
    """The card of one `sphere evaluate` result (module docstring)."""
    return {
        "card_version": CARD_VERSION,
        "benchmark": _benchmark(benchmark, result, options),
        "rule": _rule(result),
        "flip_fusion": _flip(result),
        "alignment": _alignment(source, result, benchmark),
        "test_time": _test_time(result),
        "features": _features(source),
    }


def summary(card: dict) -> str:
    """One line: benchmark file and counts, rule, flip, alignment, features file and preprocessing."""
    bench = card["benchmark"]
    main = bench["files"].get("pairs") or next((f for f in bench["files"].values() if f), None)
    counts = [f"{bench[k]} {k}" for k in ("pairs", "folds") if bench.get(k)]
    what = ", ".join(counts)
    standard = "standard" if bench.get("standard") else "non-standard"
    file = f"{main['name']} {str(main['sha256'])[:12]}" if main else "no file"
    features = card["features"]
    feat, feat_file = features["input"], features["file"]
    if feat_file:
        feat += f" {feat_file['name']} {str(feat_file['sha256'])[:12]}"
    pre = features.get("preprocessing")
    if pre:
        size = "x".join(map(str, pre.get("input_size", [])))
        feat += f" ({size} {pre.get('channels', '')} mean {pre.get('pixel_mean')} std {pre.get('pixel_std')})"
    mode = card["test_time"].get("ijb_mode")
    return (
        f"card: {bench['name']} {file} ({what + ', ' if what else ''}{standard}); rule {card['rule']['name']} "
        f"[{card['rule']['source']}]; flip {card['flip_fusion']}{'; mode ' + mode if mode else ''}; "
        f"align {card['alignment']['align']}; features {feat}"
    )


def _flatten(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        out: dict = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def differences(a: dict, b: dict, ignore: tuple[str, ...] = IGNORED) -> list[tuple[str, object, object]]:
    """(dotted key, value in a, value in b) wherever two cards disagree; a key one card lacks shows None.
    Keys whose last part is in `ignore` (file paths) are skipped, and so is a file's name where both cards
    hash the file alike: the hash decides."""
    fa, fb = _flatten(a), _flatten(b)

    def same_file(key: str) -> bool:
        stem, _, last = key.rpartition(".")
        digest = fa.get(f"{stem}.sha256")
        return last == "name" and digest is not None and digest == fb.get(f"{stem}.sha256")

    keys = [k for k in dict.fromkeys([*fa, *fb]) if k.rsplit(".", 1)[-1] not in ignore and not same_file(k)]
    return [(k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k)]


def read_card(path: Path | str) -> dict:
    """The card of a `sphere evaluate` result file; InputError naming the file when it has none."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not found")
    try:
        result = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a JSON result ({error})") from None
    if not isinstance(result, dict) or not isinstance(result.get("card"), dict):
        raise InputError(f"{path}: no protocol card (not a `sphere evaluate` result, or written before cards)")
    return result["card"]


def compare_results(first: Path | str, second: Path | str) -> list[str]:
    """The lines `sphere evaluate-compare` prints: one per difference, `key: a | b`."""
    return [
        f"{key}: {json.dumps(x, default=str)} | {json.dumps(y, default=str)}"
        for key, x, y in differences(read_card(first), read_card(second))
    ]
