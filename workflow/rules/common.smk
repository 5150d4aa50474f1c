# Globals and every helper function of the DAG; the other .smk files hold only rules (`snakemake --lint`).
# File names come from sphere.paths.RunPaths, which the verbs use too; a rule's shell line reads only
# {input}, {output}, {params}, {log}, {threads}, {resources} and {wildcards}.
import compileall
import dataclasses
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake_interface_executor_plugins.settings import DeploymentMethod

from sphere.config import evaluated_methods, method_seeds, train_config, validate
from sphere.config.resolved import is_current, resolved_text
from sphere.config.settings import TrainConfig
from sphere.paths import RunPaths
from sphere.report import outputs
from sphere.report.paper import ACCURACY_VS_M, LOSS_COMPARISON_LFW, LOSS_COMPARISON_YTF, MEGAFACE_1M

validate(config, "snakemake config")
PATHS = RunPaths.of(config)
# Every job imports a compiled sphere: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines), each of
# the ~150 job processes of the default DAG would compile the modules it imports again (~0.15 s a job).
compileall.compile_dir(Path(sys.modules["sphere"].__file__).parent, quiet=2)
# The resolved config sits next to its outputs, written by the job `resolved_config` (a dry run writes
# nothing), which runs when the file is missing or holds another config (read here, at parse time); its
# input, the config file(s), is ancient while the file is current, so touching the YAML reruns nothing.
RESOLVED = resolved_text(config)
CONFIG_CURRENT = is_current(config, PATHS.config)
CONFIG_FILES = [ancient(f) if CONFIG_CURRENT else f for f in workflow.configfiles]
# Rules that read the config take it ancient() and declare the settings they use as params, so a changed
# setting reruns exactly what depends on it; report and claims (whole-config readers) take it plainly.
CONFIG = ancient(PATHS.config)
METHODS = list(config["methods"])
SYNTHETIC = config.get("data", {}).get("source", "synthetic") == "synthetic"
# data.detect: the landmarks of the train and test folders are detected by MTCNN in the DAG (detect.smk)
DETECT = not SYNTHETIC and config.get("data", {}).get("detect", False)
DATA = config.get("data", {})
MIN_IMAGES = DATA.get("min_images_per_identity", 1)
EXCLUDE = f" --exclude {DATA['exclude_identities']}" if "exclude_identities" in DATA else ""

# The software of every job: workflow/envs/sphere.yaml under --use-conda (the repository on PYTHONPATH, so
# `python -m sphere` is this checkout), else the Python running Snakemake.
CONDA_ENV = "../envs/sphere.yaml"
if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method:
    SPHERE = f"PYTHONPATH={Path(workflow.basedir).resolve()} python -m sphere"
else:
    SPHERE = f"{sys.executable} -m sphere"

# The order among ready jobs: data first (each features job needs every scored store), then the trainings (the
# long jobs), then the short scoring jobs, which pack the cores behind them. Left to the scheduler, a store or a
# training made last ran alone on one core for 36 to 51 s at the end of the default DAG (measured).
PRIORITY = {"data": 2, "train": 1}


def sphere_job(rule_name: str, *wildcards: str) -> str:
    """The sphere command of a job that records its own wall and CPU seconds and peak memory in
    PATHS.benchmark(rule_name, *wildcards) (`sphere --usage`, read by tables/resources.csv). Snakemake's
    `benchmark:` directive would sample the job every 0.5 s for 15 s at ~19 ms of CPU each, about 37 CPU-s
    over the default DAG, and read its CPU seconds only at those samples."""
    return f"{SPHERE} --usage {PATHS.benchmark(rule_name, *wildcards)}"

# The paper's numbers, for the report's captions (workflow/report/*.rst).
PAPER = {"accuracy_vs_m": ACCURACY_VS_M, "loss_lfw": LOSS_COMPARISON_LFW, "loss_ytf": LOSS_COMPARISON_YTF,
         "megaface": MEGAFACE_1M}


def all_cores(wildcards):
    """Every core Snakemake was given; a function, so it is read when a job is scheduled and
    `snakemake --unlock` (which gives no --cores) still parses the workflow."""
    return workflow.cores


def job_threads(wildcards):
    """Threads of a training or detection job: `train.threads`, or every core where it is 0 (its default)."""
    return config.get("train", {}).get("threads", TrainConfig.threads) or workflow.cores


def parent(name):
    """A params function: the folder of the named input or output file (`in:index`, `out:model`)."""
    side, key = name.split(":")
    return lambda wildcards, input, output: Path(getattr(input if side == "in" else output, key)).parent


def raw(key):
    """Raw inputs: the synthetic generator's outputs, or the user's folders (data.source: folders)."""
    synthetic = {
        "train_root": PATHS.raw("train"),
        "train_landmarks": PATHS.raw("train_landmarks.txt"),
        "test_root": PATHS.raw("lfw"),
        "test_landmarks": PATHS.raw("lfw_landmarks.txt"),
        "pairs": PATHS.raw("pairs.txt"),
        "ytf_root": PATHS.raw("ytf", "frame_images_DB"),
        "ytf_landmarks": PATHS.raw("ytf", "ytf_landmarks.txt"),
        "ytf_splits": PATHS.raw("ytf", "splits.txt"),
        "probe_root": PATHS.raw("megaface", "facescrub"),
        "probe_landmarks": PATHS.raw("megaface", "probe_landmarks.txt"),
        "probe_list": PATHS.raw("megaface", "templatelists", "facescrub_features_list.json"),
        "distractor_root": PATHS.raw("megaface", "megaface"),
        "distractor_landmarks": PATHS.raw("megaface", "distractor_landmarks.txt"),
        "megaface_lists": PATHS.raw("megaface", "templatelists"),
    }
    if SYNTHETIC:
        return synthetic[key]
    if DETECT and key in ("train_landmarks", "test_landmarks"):
        return PATHS.landmarks(key.split("_")[0])
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


# Real image folders (data.source: folders): a clear stop when they are absent.
if not SYNTHETIC:
    MISSING = [str(p) for p in folder_inputs() if not Path(p).exists()]
    if MISSING:
        raise WorkflowError(
            f"run {config['run']!r}: input data not found: " + ", ".join(f"{p} not found" for p in MISSING)
            + ". Edit the paths under `data:` of the config (real data is never in the repository).")


def detections_of(split):
    """The detection-outcome CSV of a split whose landmarks the DAG detects, else nothing."""
    return [PATHS.detections(split)] if DETECT and split in ("train", "test") else []


def align_options(wildcards, input):
    """`sphere align` options beyond the files: detection outcomes, and the train store's identity filters."""
    train = wildcards.split == "train"
    return "".join([f" --detections {input.detections}" if input.detections else "",
                    f" --min-images {MIN_IMAGES}" if train and MIN_IMAGES > 1 else "", EXCLUDE if train else ""])


def detect_options(wildcards):
    """`sphere detect-landmarks` options from the data section (the train split skips the identities the
    train store leaves out anyway)."""
    train = wildcards.split == "train"
    options = f" --min-images {MIN_IMAGES if train else 1}{EXCLUDE if train else ''}"
    options += f" --weights {DATA['mtcnn_weights']}" if "mtcnn_weights" in DATA else ""
    options += f" --cache {DATA['mtcnn_cache']}" if "mtcnn_cache" in DATA else ""
    return options + f" --min-face {DATA.get('mtcnn_min_face', 20)} --device {DATA.get('detect_device', 'auto')}"


# Which methods each protocol sees: toy methods (3-d features, 6 identities) only draw the sphere;
# LFW scores every other method; YTF and MegaFace score those their section lists (default: all of them).
TABLES = config["tables"]
TOY_METHODS = TABLES.get("toy", [])
EVAL_METHODS = evaluated_methods(config, "lfw")
YTF_METHODS = evaluated_methods(config, "ytf")
MEGAFACE_METHODS = evaluated_methods(config, "megaface")


def train_store(method):
    """The store a method trains on: `train`, or `toy` for the toy experiment."""
    return config["methods"][method].get("store", "train")


# Every training cell is a (method, seed): its model, features and metrics live under <stage>/<method>/seed<k>/.
wildcard_constraints:
    method="[^/]+",
    seed=r"\d+",


def cells(pattern, methods):
    """`pattern` (a path with {method} and {seed}) for every seed of every method (config `seeds`)."""
    return [str(pattern).format(method=m, seed=s) for m in methods for s in method_seeds(config, m)]


def seed_cells(methods):
    return [(m, s) for m in methods for s in method_seeds(config, m)]


def train_setting(method, key):
    """A method's effective train setting: its own `train:` override, else the shared block, else the default."""
    return getattr(train_config(config, method), key)


def train_settings(method, seed):
    """Everything that decides a training cell, as plain data (threads and device excluded)."""
    settings = dataclasses.asdict(train_config(config, method, int(seed)))
    return {k: v for k, v in settings.items() if k not in ("threads", "device")}


def ytf_options():
    return "".join(f" --{key.replace('_', '-')} {config['ytf'][key]}"
                   for key in ("frame_cap", "frame_selection") if key in config.get("ytf", {}))


def megaface_options():
    section = config.get("megaface", {})
    sizes = " --sizes " + " ".join(str(s) for s in section["sizes"]) if "sizes" in section else ""
    return sizes + (f" --noise-list {section['noise_list']}" if "noise_list" in section else "")


# `sphere evaluate` on the verification benchmarks under every rule (scoring.smk); a section turns it on.
EVALUATE = "evaluate" in config
EVALUATE_METHODS = list(config.get("evaluate", {}).get("methods", EVAL_METHODS)) if EVALUATE else []
EVALUATE_BENCHMARKS = list(config.get("evaluate", {}).get("benchmarks", ["lfw"])) if EVALUATE else []


def first_seed(method):
    return f"seed{method_seeds(config, method)[0]}"


def evaluate_inputs(w):
    """Files one benchmark's scoring reads (the method's first seed): store features for lfw / ytf, the
    model and a stand-in otherwise."""
    seed = method_seeds(config, w.method)[0]
    model = PATHS.model(w.method, seed)
    return {
        "lfw": {"features": PATHS.features(w.method, seed), "store": PATHS.store_index("test"), "pairs": raw("pairs")},
        "ytf": {"features": PATHS.features(w.method, seed, "ytf"), "store": PATHS.store_index("ytf"),
                "pairs": raw("ytf_splits")},
        "lfw_bin": {"model": model, "bin": PATHS.standins / "lfw.bin"},
        "ijbc": {"model": model, "meta": PATHS.standins / "ijbc" / "meta", "crops": PATHS.standins / "ijbc" / "loose_crop"},
    }[w.bench]


def evaluate_args(w, input):
    """The `sphere evaluate` arguments of one benchmark (from its inputs)."""
    if w.bench in ("lfw", "ytf"):
        source = f"--features {input.features} --store {Path(input.store).parent} --pairs {input.pairs}"
        return f"--benchmark {w.bench} {source}"
    if w.bench == "lfw_bin":
        return f"--benchmark lfw --model {input.model} --bin {input.bin}"
    detector = " --detector-score" if config["evaluate"].get("ijb_detector_score", False) else ""
    return f"--benchmark ijbc --model {input.model} --meta {input.meta} --root {input.crops}{detector}"


def evaluate_results():
    """(result files, their methods) of every method x benchmark the evaluate section asks for."""
    pairs = [(m, b) for m in EVALUATE_METHODS for b in EVALUATE_BENCHMARKS]
    return [PATHS.evaluate_result(m, b) for m, b in pairs], [m for m, _ in pairs]


def evaluate_tables():
    """The tables the evaluate stage writes (csv and md): the rule variants, plus IJB when it is scored."""
    return [f for name in outputs.evaluate_tables(config) for f in outputs.table_files(PATHS, name, seeds=False)]


# --- what `snakemake --report` shows: every committed table and figure, with a caption -------------------
def reported(path, caption, category, subcategory=None, labels=None):
    """`path` marked for the report; `caption` names workflow/report/<caption>.rst. Unlabelled results are
    listed by file name (scripts/check-report.py looks for the figures' names)."""
    return report(path, caption=f"../report/{caption}.rst", category=category, subcategory=subcategory,
                  labels=labels)


def table_outputs(name, seeds=True):
    """A table's declared outputs: the CSV and its per-seed rows in the report, the Markdown beside them."""
    category = outputs.CATEGORY[name]
    files = [reported(PATHS.table(name), f"tables/{name}", category, "tables"), PATHS.table_md(name)]
    if seeds:
        files.append(reported(PATHS.seeds_table(name), "tables/seeds", category, "per-seed rows"))
    return files


def figure_output(name):
    return reported(PATHS.figure(name), f"figures/{name}", outputs.CATEGORY[f"figure:{name}"], "figures")


def report_outputs():
    """Every file `sphere report` writes (sphere.report.outputs.report_files), marked for the report."""
    tables = [f for name in outputs.report_tables(config) for f in table_outputs(name)]
    figures = [figure_output(name) for name in outputs.report_figures(config)]
    logs = [reported(PATHS.training_log(m, s), "training_log", "Training logs", m)
            for m, s in seed_cells(METHODS)]
    return [PATHS.summary] + tables + figures + logs


def committed_tables():
    """Every committed table CSV of the run, in report order (the tables page shows them all)."""
    names = outputs.report_tables(config)
    files = [f for n in names for f in (PATHS.table(n), PATHS.seeds_table(n))] + [PATHS.table(outputs.CLAIMS)]
    files += [PATHS.table(n) for n in outputs.evaluate_tables(config)]
    return files + ([PATHS.table(outputs.DETECTION)] if DETECT else [])


# Exported checkpoints (`sphere export-model`, half precision) of each method's seed 0 (else its first seed):
# the target rule `checkpoints`, or `all` when the config sets export_checkpoints to true.
EXPORT_CHECKPOINTS = bool(config.get("export_checkpoints", False))


def export_seed(method):
    seeds = method_seeds(config, method)
    return 0 if 0 in seeds else seeds[0]


def checkpoint_files():
    return [PATHS.checkpoint(m) for m in METHODS]


def final_outputs():
    """What `all` asks for besides the resource table (which reads the benchmarks of all of them)."""
    files = [PATHS.summary, PATHS.tables_page, *outputs.claims_files(PATHS), *evaluate_tables()]
    files += [PATHS.table(outputs.DETECTION)] if DETECT else []
    return files + (checkpoint_files() if EXPORT_CHECKPOINTS else [])
