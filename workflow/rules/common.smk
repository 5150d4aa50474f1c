# Globals and every helper function of the DAG; the other .smk files hold only rules (`snakemake --lint`).
# File names come from sphere.paths.RunPaths, which the verbs use too; a rule's shell line reads only
# {input}, {output}, {params}, {log}, {threads}, {resources} and {wildcards}.
import compileall
import hashlib
import os
import re
import dataclasses
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake_interface_executor_plugins.settings import DeploymentMethod

from sphere.benchmarks import BENCHMARKS
from sphere.config import evaluated_methods, method_seeds, train_config, typed, validate
from sphere.config.resolved import is_current, resolved_text, write_resolved
from sphere.paths import RunPaths
from sphere.report import outputs
from sphere.report.paper import ACCURACY_VS_M, LOSS_COMPARISON_LFW, LOSS_COMPARISON_YTF, MEGAFACE_1M

validate(config, "snakemake config")
# The typed config (sphere.config.sections): every default lives there; helpers read CFG, not the raw dict.
CFG = typed(config)
PATHS = RunPaths.of(CFG)
# Every job imports a compiled sphere: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines), each of
# the ~150 job processes of the default DAG would compile the modules it imports again (~0.15 s a job).
compileall.compile_dir(Path(sys.modules["sphere"].__file__).parent, quiet=2)
# The resolved config sits next to its outputs. Where it is missing, the job `resolved_config` writes it (a dry
# run writes nothing); where it holds another config, `onstart` (Snakefile) rewrites it before any job runs, and
# no job produces it: Snakemake 9 skips the own checks (changed params, missing outputs) of the jobs below a job
# that must run (DAG.update_needrun masks them) and then drops them because their input is ancient, so a pending
# config job hid every changed setting until a second run.
RESOLVED = resolved_text(config)
CONFIG_MISSING = not Path(PATHS.config).exists()
CONFIG_STALE = not CONFIG_MISSING and not is_current(config, PATHS.config)
# Rules that read the config take it ancient() and declare the settings they use as params, so a changed
# setting reruns exactly what depends on it; report and claims read the whole config: they take it plainly, and
# its digest as a param, so any changed key reruns them.
CONFIG = ancient(PATHS.config)
CONFIG_DIGEST = hashlib.sha256(RESOLVED.encode()).hexdigest()[:16]
METHODS = list(CFG.methods)
SYNTHETIC = CFG.data.source == "synthetic"
# data.detect: the landmarks of the train and test folders are detected by MTCNN in the DAG (detect.smk)
DETECT = not SYNTHETIC and CFG.data.detect
DATA = CFG.data
# data.source: recordio: the train store comes from an insightface train.rec (data.smk, store_recordio)
RECORDIO = DATA.source == "recordio"
# the splits whose landmarks MTCNN detects (data.detect): a RecordIO training set is aligned already
DETECTED_SPLITS = ["test"] if RECORDIO else ["train", "test"]
MIN_IMAGES = DATA.min_images_per_identity
EXCLUDE = f" --exclude {DATA.exclude_identities}" if DATA.exclude_identities else ""

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
    return CFG.train.threads or workflow.cores


def parent(name):
    """A params function: the folder of the named input or output file (`in:index`, `out:model`)."""
    side, key = name.split(":")
    return lambda wildcards, input, output: Path(getattr(input if side == "in" else output, key)).parent


def raw(key):
    """Raw inputs: the synthetic generator's outputs, or the user's files (data.source: folders or recordio).

    The user's files are `ancient`: a copy or a fresh mount of a read-only dataset renews every timestamp, and that
    alone must not retrain a run (a dataset changed in place needs `--forcerun detect align`; docs/real-data.md)."""
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
    if key == "train_idx":  # the RecordIO index: given, or train.idx beside train.rec
        return ancient(Path(DATA.train_idx or Path(DATA.train_rec).with_suffix(".idx")))
    section, name = FOLDER_KEYS.get(key, ("data", key))
    value = getattr(getattr(CFG, section), name)  # data.train_root may list several folders (one identity space)
    return ancient([Path(v) for v in value] if isinstance(value, list) else Path(value))


# Optional benchmarks (PAPER.md §4): a section in the config turns one on.
YTF = CFG.ytf is not None
MEGAFACE = CFG.megaface is not None
# The stores every training embeds when it ends (the train rule of train.smk), one torch start instead of a features
# job per cell (YTF and MegaFace stores are embedded for every method, 0.5 s each, though only their sections'
# methods are scored on them).
EMBEDDED = ["test", *(["ytf"] if YTF else []), *(["probe", "distractor"] if MEGAFACE else [])]


def embedded_stores(method):
    """The stores a training of `method` embeds: its output keys in the train rules. A toy method: the toy store."""
    return ["toy"] if train_store(method) == "toy" else EMBEDDED


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
    if RECORDIO:  # the training set is the RecordIO; landmarks, detection and identity filters are the test's
        keys = ["train_rec", "train_idx", "test_root", "pairs"] + ([] if DETECT else ["test_landmarks"])
    else:
        keys = ["train_root", "test_root", "pairs"] + ([] if DETECT else ["train_landmarks", "test_landmarks"])
    keys += ["exclude_identities"] if DATA.exclude_identities else []
    keys += [k for k, (section, _) in FOLDER_KEYS.items() if getattr(CFG, section) is not None]
    paths = []
    for key in keys:
        value = raw(key)
        paths += value if isinstance(value, list) else [value]
    return paths


# Real image folders (data.source: folders): a clear stop when they are absent.
# (not for the reader's view, `view`, which reads only the committed results)
# (the targets are not yet known to the workflow while it parses: read off the command line)
VIEW_ONLY = "view" in (set(workflow.dag_settings.targets) if workflow.dag_settings else set(sys.argv[1:]))
if not SYNTHETIC and not VIEW_ONLY:
    MISSING = [str(p) for p in folder_inputs() if not Path(p).exists()]
    if MISSING:
        raise WorkflowError(
            f"run {CFG.run!r}: input data not found: " + ", ".join(f"{p} not found" for p in MISSING)
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
    options += f" --weights {DATA.mtcnn_weights}" if DATA.mtcnn_weights else ""
    options += f" --cache {DATA.mtcnn_cache}" if DATA.mtcnn_cache else ""
    return options + f" --min-face {DATA.mtcnn_min_face} --device {DATA.detect_device}"


# Which methods each protocol sees: toy methods (3-d features, 6 identities) only draw the sphere;
# LFW scores every other method; YTF and MegaFace score those their section lists (default: all of them).
TOY_METHODS = CFG.tables.toy
EVAL_METHODS = evaluated_methods(CFG, "lfw")
YTF_METHODS = evaluated_methods(CFG, "ytf")
MEGAFACE_METHODS = evaluated_methods(CFG, "megaface")


def methods_pattern(methods):
    """A wildcard pattern matching exactly these method names (one that matches nothing when there are none)."""
    return "|".join(re.escape(m) for m in methods) or "(?!)"


def train_store(method):
    """The store a method trains on: `train`, or `toy` for the toy experiment."""
    return CFG.methods[method].store


# Every training cell is a (method, seed): its model, features and metrics live under <stage>/<method>/seed<k>/.
wildcard_constraints:
    method="[^/]+",
    seed=r"\d+",


def cells(pattern, methods):
    """`pattern` (a path with {method} and {seed}) for every seed of every method (config `seeds`)."""
    return [str(pattern).format(method=m, seed=s) for m in methods for s in method_seeds(CFG, m)]


def seed_cells(methods):
    return [(m, s) for m in methods for s in method_seeds(CFG, m)]


def gpu_training(wildcards):
    """1 when a training cell runs on a GPU (its method does not pin `device: cpu`), else 0: the `gpu` resource."""
    return int(train_setting(wildcards.method, "device") != "cpu")


def training_partition(wildcards):
    """The SLURM partition of a training cell (workflow/profiles/slurm names them through the environment): the
    GPU partition for a GPU training only; a CPU-pinned one goes where the other CPU jobs go."""
    if gpu_training(wildcards):
        return os.environ.get("SPHERE_SLURM_GPU_PARTITION", "gpu")
    return os.environ.get("SPHERE_SLURM_PARTITION", "cpu")


# The CUDA software of GPU trainings under --use-conda (the CPU jobs keep CONDA_ENV, with CPU-only torch).
CONDA_GPU_ENV = "../envs/sphere-cuda.yaml"


def train_setting(method, key):
    """A method's effective train setting: its own `train:` override, else the shared block, else the default."""
    return getattr(train_config(config, method), key)


def train_settings(method, seed):
    """Everything that decides a training cell, as plain data (threads and device excluded)."""
    settings = dataclasses.asdict(train_config(config, method, int(seed)))
    return {k: v for k, v in settings.items() if k not in ("threads", "device")}


def ytf_options():
    return f" --frame-cap {CFG.ytf.frame_cap} --frame-selection {CFG.ytf.frame_selection}" if YTF else ""


def megaface_options():
    section = CFG.megaface
    sizes = " --sizes " + " ".join(str(s) for s in section.sizes) if section and section.sizes else ""
    return sizes + (f" --noise-list {section.noise_list}" if section and section.noise_list else "")


# `sphere evaluate` on the verification benchmarks under every rule (scoring.smk); a section turns it on.
EVALUATE = CFG.evaluate is not None
EVALUATE_METHODS = list(CFG.evaluate.methods or EVAL_METHODS) if EVALUATE else []
EVALUATE_BENCHMARKS = list(CFG.evaluate.benchmarks) if EVALUATE else []


def first_seed(method):
    return f"seed{method_seeds(CFG, method)[0]}"


# wildcard patterns of the two evaluate rules (scoring.smk): which records give a per-rule table
VERIFICATION_BENCHMARKS = "|".join(b.name for b in BENCHMARKS.values() if b.dag and b.verification)
IJB_BENCHMARKS = "|".join(b.name for b in BENCHMARKS.values() if b.dag and b.kind == "ijb")


def bin_file(name):
    """A `.bin` set the DAG scores: `<benchmark>.bin` under evaluate.bin_root, else the synthetic stand-in."""
    return Path(CFG.evaluate.bin_root or PATHS.standins) / BENCHMARKS[name].file


def evaluate_inputs(w):
    """Files one benchmark's scoring reads (the method's first seed), by its kind (sphere.benchmarks):
    store features for pairs and videos, the model and its files otherwise."""
    seed = method_seeds(CFG, w.method)[0]
    model = PATHS.model(w.method, seed)
    return {
        "pairs": lambda: {"features": PATHS.features(w.method, seed), "store": PATHS.store_index("test"),
                          "pairs": raw("pairs")},
        "videos": lambda: {"features": PATHS.features(w.method, seed, "ytf"), "store": PATHS.store_index("ytf"),
                           "pairs": raw("ytf_splits")},
        "bin": lambda: {"model": model, "bin": bin_file(w.bench)},
        "ijb": lambda: {"model": model, "meta": PATHS.standins / w.bench / "meta",
                        "crops": PATHS.standins / w.bench / "loose_crop"},
    }[BENCHMARKS[w.bench].kind]()


def evaluate_args(w, input):
    """The `sphere evaluate` arguments of one benchmark (from its inputs)."""
    record = BENCHMARKS[w.bench]
    if record.kind in ("pairs", "videos"):
        source = f"--features {input.features} --store {Path(input.store).parent} --pairs {input.pairs}"
        return f"--benchmark {record.benchmark} {source}" + (ytf_options() if record.kind == "videos" else "")
    if record.kind == "bin":
        return f"--benchmark {record.benchmark} --model {input.model} --bin {input.bin}"
    detector = " --detector-score" if CFG.evaluate.ijb_detector_score else ""
    return f"--benchmark {record.benchmark} --model {input.model} --meta {input.meta} --root {input.crops}{detector}"


def evaluate_results():
    """(result files, their methods) of every method x benchmark the evaluate section asks for."""
    pairs = [(m, b) for m in EVALUATE_METHODS for b in EVALUATE_BENCHMARKS]
    return [PATHS.evaluate_result(m, b) for m, b in pairs], [m for m, _ in pairs]


def evaluate_tables():
    """The tables the evaluate stage writes (csv and md): the rule variants, plus IJB when it is scored."""
    return [f for name in outputs.evaluate_tables(CFG) for f in outputs.table_files(PATHS, name, seeds=False)]


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
    tables = [f for name in outputs.report_tables(CFG) for f in table_outputs(name)]
    figures = [figure_output(name) for name in outputs.report_figures(CFG)]
    logs = [reported(PATHS.training_log(m, s), "training_log", outputs.TRAINING_LOGS, m)
            for m, s in seed_cells(METHODS)]
    return [PATHS.summary] + tables + figures + logs


def committed_tables():
    """Every committed table CSV of the run, in report order (the tables page shows them all)."""
    names = outputs.report_tables(CFG)
    files = [f for n in names for f in (PATHS.table(n), PATHS.seeds_table(n))] + [PATHS.table(outputs.CLAIMS)]
    files += [PATHS.table(n) for n in outputs.evaluate_tables(CFG)]
    return files + ([PATHS.table(outputs.DETECTION)] if DETECT else [])


# Exported checkpoints (`sphere export-model`, half precision) of each method's seed 0 (else its first seed):
# the target rule `checkpoints`, or `all` when the config sets export_checkpoints to true.
EXPORT_CHECKPOINTS = CFG.export_checkpoints


def export_seed(method):
    seeds = method_seeds(CFG, method)
    return 0 if 0 in seeds else seeds[0]


def exported_checkpoint(method):
    """Where export_model writes a checkpoint: exported/<method>.pt, never the committed checkpoints/."""
    return PATHS.root / "exported" / f"{method}.pt"


def checkpoint_files():
    return [exported_checkpoint(m) for m in METHODS]


def final_outputs():
    """What `all` asks for besides the resource table (which reads the benchmarks of all of them)."""
    files = [PATHS.summary, PATHS.tables_page, *outputs.claims_files(PATHS), *evaluate_tables()]
    files += [PATHS.table(outputs.DETECTION)] if DETECT else []
    return files + (checkpoint_files() if EXPORT_CHECKPOINTS else [])


# --- the reader's view (the view rule of report.smk), the committed files of the run, each with its caption ----------
VIEW = PATHS.root / "html" / "view"


def view_caption(rel):
    """(caption, category, subcategory) of a committed file, by its path in the run folder."""
    kind, name = rel.parts[0], Path(rel).stem
    if kind == "training":
        return "training_log", outputs.TRAINING_LOGS, rel.parts[1]
    if kind == "figures":
        return f"figures/{name}", outputs.CATEGORY.get(f"figure:{name}", outputs.RESULTS), "figures"
    table = name.removesuffix("_seeds")
    caption = "tables/seeds" if table != name else f"tables/{name}"
    return caption, outputs.CATEGORY.get(table, outputs.RESULTS), "per-seed rows" if table != name else "tables"


def view_outputs():
    """The view's pages and its copy of every committed table, figure and training log, marked for the report."""
    from sphere.report.view import view_files

    pages = [reported(VIEW / "results.html", "results_page", outputs.RESULTS, "the paper beside ours"),
             reported(VIEW / "tables.html", "tables_page", outputs.RESULTS, "all tables")]
    return pages + [reported(VIEW / rel, *view_caption(rel)) for rel in view_files(PATHS)]


def view_digest():
    from sphere.report.view import digest

    return digest(PATHS)


# --- the shipped models (shipped.smk): scored without training under results/<run>/shipped/ --------------
SHIPPED = RunPaths(PATHS.root / "shipped")
SHIPPED_METHODS = [m for m in METHODS if Path(PATHS.checkpoint(m)).exists()]


def shipped_config():
    """The run's config with every shipped method at its one exported seed (the report reads seeds from it)."""
    methods = {m: {**config["methods"][m], "seeds": [export_seed(m)]} for m in SHIPPED_METHODS}
    tables = {k: [m for m in v if m in methods] if isinstance(v, list) else v for k, v in config["tables"].items()}
    return {**config, "methods": methods, "tables": tables}


def shipped_job(rule_name, *wildcards):
    """sphere_job, its usage record under shipped/ (the run's own records stay the training run's)."""
    return f"{SPHERE} --usage {SHIPPED.benchmark(rule_name, *wildcards)}"


def shipped_cells(pattern, methods):
    return [str(pattern).format(method=m, seed=export_seed(m)) for m in methods if m in SHIPPED_METHODS]
