import dataclasses
import sys
from pathlib import Path

from sphere.config import evaluated_methods, method_seeds, train_config, validate, write_resolved

validate(config, "snakemake config")
RUN = Path(config.get("results", "results")) / config["run"]
# The resolved config sits next to its outputs (rewritten only when it changes); rules that read it
# declare the settings they use as params, so a changed setting reruns exactly what depends on it.
CONFIG = write_resolved(config, RUN / "config.yaml")
SPHERE = f"{sys.executable} -m sphere"
METHODS = list(config["methods"])
SYNTHETIC = config.get("data", {}).get("source", "synthetic") == "synthetic"
# data.detect: the landmarks of the train and test folders are detected by MTCNN in the DAG (detect.smk)
DETECT = not SYNTHETIC and config.get("data", {}).get("detect", False)


def all_cores(wildcards):
    """Every core Snakemake was given; a function, so it is read when a job is scheduled and
    `snakemake --unlock` (which gives no --cores) still parses the workflow."""
    return workflow.cores


def job_threads(wildcards):
    """Threads of a training or detection job: `train.threads`, or every core where it is 0."""
    return config.get("train", {}).get("threads", 1) or workflow.cores


def raw(key):
    """Raw inputs: the synthetic generator's outputs, or the user's folders (data.source: folders)."""
    synthetic = {
        "train_root": RUN / "raw" / "train",
        "train_landmarks": RUN / "raw" / "train_landmarks.txt",
        "test_root": RUN / "raw" / "lfw",
        "test_landmarks": RUN / "raw" / "lfw_landmarks.txt",
        "pairs": RUN / "raw" / "pairs.txt",
        "ytf_root": RUN / "raw" / "ytf" / "frame_images_DB",
        "ytf_landmarks": RUN / "raw" / "ytf" / "ytf_landmarks.txt",
        "ytf_splits": RUN / "raw" / "ytf" / "splits.txt",
        "probe_root": RUN / "raw" / "megaface" / "facescrub",
        "probe_landmarks": RUN / "raw" / "megaface" / "probe_landmarks.txt",
        "probe_list": RUN / "raw" / "megaface" / "templatelists" / "facescrub_features_list.json",
        "distractor_root": RUN / "raw" / "megaface" / "megaface",
        "distractor_landmarks": RUN / "raw" / "megaface" / "distractor_landmarks.txt",
        "megaface_lists": RUN / "raw" / "megaface" / "templatelists",
    }
    if SYNTHETIC:
        return synthetic[key]
    if DETECT and key in ("train_landmarks", "test_landmarks"):
        return RUN / "raw" / "landmarks" / f"{key.split('_')[0]}.txt"
    section, name = FOLDER_KEYS.get(key, ("data", key))
    value = config[section][name]  # data.train_root may list several folders (one identity space)
    return [Path(v) for v in value] if isinstance(value, list) else Path(value)


# Optional benchmarks (PAPER.md §4): a section in the config turns one on.
YTF = "ytf" in config
MEGAFACE = "megaface" in config
# raw() keys of the optional benchmarks -> (config section, key) when the raw data are the user's folders
FOLDER_KEYS = {
    "ytf_root": ("ytf", "root"),
    "ytf_landmarks": ("ytf", "landmarks"),
    "ytf_splits": ("ytf", "splits"),
    "probe_root": ("megaface", "probe_root"),
    "probe_landmarks": ("megaface", "probe_landmarks"),
    "probe_list": ("megaface", "probe_list"),
    "distractor_root": ("megaface", "distractor_root"),
    "distractor_landmarks": ("megaface", "distractor_landmarks"),
    "megaface_lists": ("megaface", "lists"),
}

# Which methods each protocol sees: toy methods (3-d features, 6 identities) only draw the sphere;
# LFW scores every other method; YTF and MegaFace score those their section lists (default: all of them).
TABLES = config["tables"]
TOY_METHODS = TABLES.get("toy", [])
EVAL_METHODS = evaluated_methods(config, "lfw")
YTF_METHODS = evaluated_methods(config, "ytf")
MEGAFACE_METHODS = evaluated_methods(config, "megaface")


def train_store(method):
    """The store a method trains on: `train`, or `toy` for the toy experiment."""
    return RUN / "stores" / config["methods"][method].get("store", "train")


# Every training cell is a (method, seed): its model, features and metrics live under <stage>/<method>/seed<k>/.
wildcard_constraints:
    method="[^/]+",
    seed=r"\d+",


def cells(pattern, methods):
    """`pattern` (a path with {method} and {seed}) for every seed of every method (config `seeds`)."""
    return [str(pattern).format(method=m, seed=s) for m in methods for s in method_seeds(config, m)]


def train_setting(method, key):
    """A method's effective train setting: its own `train:` override, else the shared block, else the default."""
    return getattr(train_config(config, method), key)


def train_settings(method, seed):
    """Everything that decides a training cell, as plain data (threads and device excluded)."""
    settings = dataclasses.asdict(train_config(config, method, int(seed)))
    return {k: v for k, v in settings.items() if k not in ("threads", "device")}


# `sphere evaluate` on the verification benchmarks under every rule (scoring.smk); a section turns it on.
EVALUATE = "evaluate" in config
EVALUATE_METHODS = list(config.get("evaluate", {}).get("methods", EVAL_METHODS)) if EVALUATE else []
EVALUATE_BENCHMARKS = list(config.get("evaluate", {}).get("benchmarks", ["lfw"])) if EVALUATE else []
STANDINS = RUN / "raw" / "standins"


def evaluate_inputs(w):
    """Files one benchmark's scoring reads (the method's first seed): store features for lfw / ytf, the
    model and a stand-in otherwise."""
    seed = f"seed{method_seeds(config, w.method)[0]}"
    model = RUN / "models" / w.method / seed / "model.pt"
    return {
        "lfw": {"features": RUN / "features" / w.method / f"{seed}.npy", "store": RUN / "stores" / "test" / "index.csv",
                "pairs": raw("pairs")},
        "ytf": {"features": RUN / "features" / "ytf" / w.method / f"{seed}.npy",
                "store": RUN / "stores" / "ytf" / "index.csv", "pairs": raw("ytf_splits")},
        "lfw_bin": {"model": model, "bin": STANDINS / "lfw.bin"},
        "ijbc": {"model": model, "meta": STANDINS / "ijbc" / "meta" / "ijbc_template_pair_label.txt",
                 "crops": STANDINS / "ijbc" / "loose_crop"},
    }[w.bench]


def evaluate_args(w, input):
    """The `sphere evaluate` arguments of one benchmark (from its inputs)."""
    if w.bench in ("lfw", "ytf"):
        source = f"--features {input.features} --store {Path(input.store).parent} --pairs {input.pairs}"
        return f"--benchmark {w.bench} {source}"
    if w.bench == "lfw_bin":
        return f"--benchmark lfw --model {input.model} --bin {input.bin}"
    detector = " --detector-score" if config["evaluate"].get("ijb_detector_score", False) else ""
    return f"--benchmark ijbc --model {input.model} --meta {Path(input.meta).parent} --root {input.crops}{detector}"


def evaluate_results():
    """(result files, their methods) of every method x benchmark the evaluate section asks for."""
    pairs = [(m, b) for m in EVALUATE_METHODS for b in EVALUATE_BENCHMARKS]
    return [RUN / "metrics" / m / "evaluate" / b / f"{b}.json" for m, b in pairs], [m for m, _ in pairs]


def evaluate_tables():
    """The tables the evaluate stage writes: the rule variants, plus IJB when it is scored."""
    names = (["protocol_variants"] if set(EVALUATE_BENCHMARKS) - {"ijbc"} else []) + \
        (["ijb"] if "ijbc" in EVALUATE_BENCHMARKS else [])
    return [RUN / "tables" / f"{n}.csv" for n in names]
