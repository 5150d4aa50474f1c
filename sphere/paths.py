"""Every file of a run, named in one place: `RunPaths(root)` for the folder `<results>/<run>/`.

The Snakemake rules declare their inputs and outputs with it, the verbs that compute output names
(`sphere report`, `sphere claims`, `sphere reproduce`, `sphere resources-table`) write and read through it,
so a file's name is written once. Torch-free and config-free (`of` reads two fields of a typed config): the few
lists that depend on a config (which tables a run asks for) live in `sphere.report.outputs`.

Per-cell methods take a method and a seed; a Snakemake wildcard pattern works as well as a value:
`paths.model("{method}", "{seed}")` is `<root>/models/{method}/seed{seed}/model.pt`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphere.config.sections import RunConfig


def _stem(*parts: object) -> str:
    return "_".join(str(p) for p in parts)


def markdown_of(csv: Path | str) -> Path:
    """The Markdown rendering beside a table: `<name>.md` next to `<name>.csv`."""
    return Path(csv).with_suffix(".md")


def seeds_of(csv: Path | str) -> Path:
    """The per-seed rows beside a table: `<name>_seeds.csv` next to `<name>.csv`."""
    csv = Path(csv)
    return csv.with_name(f"{csv.stem}_seeds.csv")


class RunPaths:
    """The files of one run, all under `root` (`<results>/<run>`)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @classmethod
    def of(cls, cfg: RunConfig) -> RunPaths:
        """The run folder a config names: `<results>/<run>`."""
        return cls(Path(cfg.results) / cfg.run)

    def __repr__(self) -> str:
        return f"RunPaths({str(self.root)!r})"

    # --- the run as a whole -------------------------------------------------------------------------
    @property
    def config(self) -> Path:
        """The resolved config that produced the run (committed beside its tables)."""
        return self.root / "config.yaml"

    @property
    def summary(self) -> Path:
        """`report.json`: LFW accuracy per method and the headline numbers of the other tables."""
        return self.root / "report.json"

    # --- raw inputs: the synthetic generator's folders, detected landmarks, stand-ins ----------------
    def raw(self, *parts: str) -> Path:
        """A file or folder under `raw/` (synthetic faces, YTF videos, MegaFace sets)."""
        return self.root.joinpath("raw", *parts)

    def landmarks(self, split: str) -> Path:
        """MTCNN landmarks of a split (`data.detect`)."""
        return self.raw("landmarks", f"{split}.txt")

    def detections(self, split: str) -> Path:
        return self.raw("landmarks", f"{split}_detections.csv")

    def detection_summary(self, split: str) -> Path:
        return self.raw("landmarks", f"{split}_detection.json")

    @property
    def standins(self) -> Path:
        """The `.bin` and IJB-C-format stand-ins of `sphere evaluate`."""
        return self.raw("standins")

    # --- aligned stores ------------------------------------------------------------------------------
    def store(self, split: str) -> Path:
        """The folder of an aligned store (`train`, `test`, `toy`, `ytf`, `probe`, `distractor`)."""
        return self.root / "stores" / str(split)

    def store_images(self, split: str) -> Path:
        return self.store(split) / "images.npy"

    def store_index(self, split: str) -> Path:
        return self.store(split) / "index.csv"

    # --- training cells (method, seed) -----------------------------------------------------------------
    def model_dir(self, method: str, seed: int | str) -> Path:
        """The training folder of a cell: model, status, checkpoints, metrics.csv, train.yaml."""
        return self.root / "models" / str(method) / f"seed{seed}"

    def model(self, method: str, seed: int | str) -> Path:
        return self.model_dir(method, seed) / "model.pt"

    def status(self, method: str, seed: int | str) -> Path:
        return self.model_dir(method, seed) / "status.json"

    def train_record(self, method: str, seed: int | str) -> Path:
        """`train.yaml`: the settings a training used (recipe, effective batch, device)."""
        return self.model_dir(method, seed) / "train.yaml"

    def train_log(self, method: str, seed: int | str) -> Path:
        """The per-interval log `sphere train` keeps (and resumes) beside its checkpoints."""
        return self.model_dir(method, seed) / "metrics.csv"

    def features(self, method: str, seed: int | str, protocol: str | None = None) -> Path:
        """FC1 features of a store's faces: `features/<m>/seed<k>.npy` for the LFW test store,
        `features/<protocol>/<m>/seed<k>.npy` for `toy`, `ytf`, `probe`, `distractor`."""
        stage = self.root / "features" if protocol is None else self.root / "features" / protocol
        return stage / str(method) / f"seed{seed}.npy"

    def metrics_dir(self, method: str, seed: int | str) -> Path:
        return self.root / "metrics" / str(method) / f"seed{seed}"

    def metrics(self, method: str, seed: int | str, name: str) -> Path:
        """A protocol's result of a cell: `lfw.json`, `pairs.csv`, `ytf.json`, `megaface.json`."""
        return self.metrics_dir(method, seed) / name

    def evaluate_dir(self, method: str, bench: str) -> Path:
        return self.root / "metrics" / str(method) / "evaluate" / str(bench)

    def evaluate_result(self, method: str, bench: str) -> Path:
        """`sphere evaluate` of a method on one benchmark under every rule."""
        return self.evaluate_dir(method, bench) / f"{bench}.json"

    def checkpoint(self, method: str) -> Path:
        """A method's seed-0 model for distribution (`sphere export-model`, half precision)."""
        return self.root / "checkpoints" / f"{method}.pt"

    # --- committed outputs -----------------------------------------------------------------------------
    @property
    def tables(self) -> Path:
        return self.root / "tables"

    def table(self, name: str) -> Path:
        """`tables/<name>.csv`."""
        return self.tables / f"{name}.csv"

    def table_md(self, name: str) -> Path:
        """The Markdown rendering of a table: `tables/<name>.md`."""
        return markdown_of(self.table(name))

    def seeds_table(self, name: str) -> Path:
        """The per-seed rows of a table: `tables/<name>_seeds.csv`."""
        return seeds_of(self.table(name))

    @property
    def tables_page(self) -> Path:
        """Every table of the run on one HTML page, for `snakemake --report` (not committed)."""
        return self.root / "html" / "tables.html"

    def figure(self, name: str) -> Path:
        return self.root / "figures" / f"{name}.png"

    def training_log(self, method: str, seed: int | str) -> Path:
        """The committed copy of a cell's training log: `training/<m>/seed<k>.csv`."""
        return self.root / "training" / str(method) / f"seed{seed}.csv"

    # --- per job: Snakemake's logs and benchmarks --------------------------------------------------------
    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def log(self, rule: str, *wildcards: object) -> Path:
        """A job's stderr: `logs/<rule>[_<wildcard>...].log`."""
        return self.logs / f"{_stem(rule, *wildcards)}.log"

    @property
    def benchmarks(self) -> Path:
        return self.root / "benchmarks"

    def benchmark(self, rule: str, *wildcards: object) -> Path:
        """A job's usage record (wall s, CPU s, max RSS; `sphere --usage`): `benchmarks/<rule>[/<wildcard>...].tsv`."""
        if not wildcards:
            return self.benchmarks / f"{rule}.tsv"
        *folders, last = (str(w) for w in wildcards)
        return self.benchmarks.joinpath(str(rule), *folders, f"{last}.tsv")

    def benchmark_job(self, path: Path | str) -> tuple[str, str]:
        """(rule, wildcards) of a benchmark file `benchmark()` named, e.g. ('train', 'softmax/seed0')."""
        parts = Path(path).relative_to(self.benchmarks).with_suffix("").parts
        return parts[0], "/".join(parts[1:])
