"""Which tables and figures a run writes, from its config: the one list behind the Snakemake rules'
declared outputs (workflow/rules/report.smk, claims.smk, scoring.smk) and the writers in sphere/report/.
Names only; `sphere.paths.RunPaths` turns a name into its file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphere.paths import RunPaths

if TYPE_CHECKING:
    from sphere.config.sections import RunConfig

CLAIMS = "claims"  # tables/claims.csv (+ .md) and figures/claims.png
RESOURCES = "resources"  # tables/resources.csv (+ .md): wall s, CPU s, max RSS per job, from benchmarks/
DETECTION = "detection"  # tables/detection.csv: MTCNN outcome per split (data.detect)
LEAKAGE = "leakage"  # tables/leakage.csv (+ .md) and figures/leakage.png: train/test shared identities
FEATURE_NORM = "feature_norm"  # figures/feature_norm.png: feature norm and target angle against step
TRAINING_DYNAMICS = "training_dynamics"  # tables/training_dynamics.csv (+ .md, _seeds.csv): where each log ends

# The section of `snakemake --report` each table (by name) and figure ("figure:<name>") appears in: named and
# ordered (the report sorts them by name) as the paper's Sec. 4, then what the paper does not have.
RESULTS = "4 Results - claims and verdicts"
SETTINGS = "4.1 Settings - "  # + data (MTCNN), training budget, training logs
EFFECT_OF_M = "4.2a Effect of m (Table 3, Fig. 5)"
DEPTH = "4.2b Effect of depth (Fig. 6)"
LFW_YTF = "4.3 LFW and YTF (Table 4)"
MEGAFACE = "4.4 MegaFace (Table 5, Fig. 7)"
TRAINING_LOGS = SETTINGS + "training logs"
CATEGORY = {
    CLAIMS: RESULTS,
    f"figure:{CLAIMS}": RESULTS,
    DETECTION: SETTINGS + "data (MTCNN)",
    LEAKAGE: SETTINGS + "data (train/test leakage)",
    f"figure:{LEAKAGE}": SETTINGS + "data (train/test leakage)",
    "budget": SETTINGS + "training budget",
    "figure:budget": SETTINGS + "training budget",
    f"figure:{FEATURE_NORM}": TRAINING_LOGS,
    TRAINING_DYNAMICS: TRAINING_LOGS,
    "accuracy_vs_m": EFFECT_OF_M,
    "angle_stats": EFFECT_OF_M,
    "figure:accuracy_vs_m": EFFECT_OF_M,
    "figure:angle_hist": EFFECT_OF_M,
    "toy_angles": EFFECT_OF_M,
    "figure:sphere3d": EFFECT_OF_M,
    "accuracy_vs_depth": DEPTH,
    "figure:accuracy_vs_depth": DEPTH,
    "loss_comparison": LFW_YTF,
    "megaface": MEGAFACE,
    "figure:megaface_cmc": MEGAFACE,
    "figure:megaface_roc": MEGAFACE,
    "protocol_variants": "5 Beyond the paper - protocol variants",
    "ijb": "5 Beyond the paper - protocol variants",
    RESOURCES: "6 Resources (usage records)",
    "training_time": "6 Resources (usage records)",
}


def report_tables(cfg: RunConfig) -> list[str]:
    """The tables `sphere report` writes, in order; each has `.md` and per-seed `_seeds.csv` beside it."""
    wanted = cfg.tables
    names = ["accuracy_vs_m", "angle_stats"] + [
        t for t in ("loss_comparison", "accuracy_vs_depth") if getattr(wanted, t)
    ]
    if wanted.budget:
        names.append("budget")
    if wanted.toy:
        names.append("toy_angles")
    if cfg.megaface is not None:
        names.append("megaface")
    return names + [TRAINING_DYNAMICS]


def report_figures(cfg: RunConfig) -> list[str]:
    """The figures `sphere report` draws, in order."""
    wanted = cfg.tables
    names = ["angle_hist", "accuracy_vs_m", FEATURE_NORM]
    if wanted.accuracy_vs_depth:
        names.append("accuracy_vs_depth")
    if wanted.budget:
        names.append("budget")
    if wanted.toy:
        names.append("sphere3d")
    if cfg.megaface is not None:
        names += ["megaface_cmc", "megaface_roc"]
    return names


def table_files(paths: RunPaths, name: str, seeds: bool = True) -> list[Path]:
    """A table's files: `<name>.csv`, `<name>.md` and (with `seeds`) `<name>_seeds.csv`."""
    return [paths.table(name), paths.table_md(name)] + ([paths.seeds_table(name)] if seeds else [])


def report_files(cfg: RunConfig, paths: RunPaths, cells: list[tuple[str, int]]) -> list[Path]:
    """Every file `sphere report` writes: report.json, the tables (csv, md, per seed), the figures and the
    training log of every (method, seed) cell in `cells`."""
    return (
        [paths.summary]
        + [f for t in report_tables(cfg) for f in table_files(paths, t)]
        + [paths.figure(f) for f in report_figures(cfg)]
        + [paths.training_log(m, s) for m, s in cells]
    )


def claims_files(paths: RunPaths) -> list[Path]:
    """What `sphere claims` writes: tables/claims.csv, claims.md and figures/claims.png."""
    return table_files(paths, CLAIMS, seeds=False) + [paths.figure(CLAIMS)]


def evaluate_tables(cfg: RunConfig) -> list[str]:
    """The tables of the evaluate stage, in this order: the rule variants, IJB; each when a benchmark of
    `evaluate.benchmarks` lands in it (sphere.benchmarks `table`)."""
    from sphere.benchmarks import BENCHMARKS

    benchmarks = cfg.evaluate.benchmarks if cfg.evaluate is not None else []
    tables = {BENCHMARKS[b].table for b in benchmarks}
    return [t for t in ("protocol_variants", "ijb") if t in tables]
