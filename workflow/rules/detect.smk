# Real image folders (data.source: folders): a clear stop when they are absent, and MTCNN landmarks
# (PAPER.md §3) when data.detect is true: <run>/raw/landmarks/{train,test}.txt plus each image's outcome.
from snakemake.exceptions import WorkflowError

DATA = config.get("data", {})
MIN_IMAGES = DATA.get("min_images_per_identity", 1)
EXCLUDE = f" --exclude {DATA['exclude_identities']}" if "exclude_identities" in DATA else ""


def folder_inputs():
    """Every user path the config's folders need: roots, landmark lists (unless detected), pairs, benchmarks."""
    keys = ["train_root", "test_root", "pairs"] + ([] if DETECT else ["train_landmarks", "test_landmarks"])
    keys += ["exclude_identities"] if "exclude_identities" in DATA else []
    keys += [k for k, (section, _) in FOLDER_KEYS.items() if section in config]
    paths = []
    for key in keys:
        value = raw(key)
        paths += value if isinstance(value, list) else [value]
    return paths


if not SYNTHETIC:
    MISSING = [str(p) for p in folder_inputs() if not Path(p).exists()]
    if MISSING:
        raise WorkflowError(
            f"run {config['run']!r}: input data not found: " + ", ".join(f"{p} not found" for p in MISSING)
            + ". Edit the paths under `data:` of the config (real data is never in the repository).")


def detections_of(split):
    """The detection-outcome CSV of a split whose landmarks the DAG detects, else nothing."""
    return [RUN / "raw" / "landmarks" / f"{split}_detections.csv"] if DETECT and split in ("train", "test") else []


if DETECT:

    rule detect:
        input:
            root=lambda w: raw(f"{w.split}_root"),
        output:
            landmarks=RUN / "raw" / "landmarks" / "{split}.txt",
            detections=RUN / "raw" / "landmarks" / "{split}_detections.csv",
            summary=RUN / "raw" / "landmarks" / "{split}_detection.json",
        wildcard_constraints:
            split="train|test",
        params:
            # detection skips the identities the train store would leave out anyway
            min_images=lambda w: MIN_IMAGES if w.split == "train" else 1,
            exclude=lambda w: EXCLUDE if w.split == "train" else "",
            weights=f" --weights {DATA['mtcnn_weights']}" if "mtcnn_weights" in DATA else "",
            cache=f" --cache {DATA['mtcnn_cache']}" if "mtcnn_cache" in DATA else "",
            min_face=DATA.get("mtcnn_min_face", 20),
            device=DATA.get("detect_device", "auto"),
        threads: job_threads
        resources:
            gpu=int(DATA.get("detect_device", "auto") != "cpu"),
        log:
            RUN / "logs" / "detect_{split}.log",
        shell:
            "{SPHERE} detect-landmarks --root {input.root} --out {output.landmarks}{params.weights}{params.cache} "
            "--device {params.device} --min-images {params.min_images}{params.exclude} --min-face {params.min_face} "
            "--detections {output.detections} --summary {output.summary} --threads {threads} 2> {log}"

    rule detection_table:
        input:
            expand(RUN / "raw" / "landmarks" / "{split}_detection.json", split=["train", "test"]),
        output:
            RUN / "tables" / "detection.csv",
        log:
            RUN / "logs" / "detection_table.log",
        shell:
            "{SPHERE} detection-table --summary {input} --split train test --out {output} 2> {log}"
