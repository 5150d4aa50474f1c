"""Which tables and figures a run writes, from its config: the one list behind the Snakemake rules'
declared outputs (workflow/rules/report.smk, claims.smk, scoring.smk) and the writers in sphere/report/.
Names only; `sphere.paths.RunPaths` turns a name into its file."""

from __future__ import annotations

from pathlib import Path

from sphere.paths import RunPaths

CLAIMS = "claims"  # tables/claims.csv (+ .md) and figures/claims.png
RESOURCES = "resources"  # tables/resources.csv (+ .md): wall s, CPU s, max RSS per job, from benchmarks/
DETECTION = "detection"  # tables/detection.csv: MTCNN outcome per split (data.detect)

# The section of `snakemake --report` each table (by name) and figure ("figure:<name>") appears in.
CATEGORY = {
    "accuracy_vs_m": "1 margin m (Table 3)",
    "angle_stats": "1 margin m (Table 3)",
    "figure:accuracy_vs_m": "1 margin m (Table 3)",
    "figure:angle_hist": "1 margin m (Table 3)",
    "toy_angles": "2 toy experiment (Fig. 5)",
    "figure:sphere3d": "2 toy experiment (Fig. 5)",
    "loss_comparison": "3 loss comparison (Table 4)",
    "accuracy_vs_depth": "4 depth (Fig. 6)",
    "figure:accuracy_vs_depth": "4 depth (Fig. 6)",
    "budget": "5 training budget",
    "figure:budget": "5 training budget",
    "megaface": "6 MegaFace",
    "figure:megaface_cmc": "6 MegaFace",
    "figure:megaface_roc": "6 MegaFace",
    CLAIMS: "0 claims and verdicts",
    f"figure:{CLAIMS}": "0 claims and verdicts",
    "protocol_variants": "7 protocol variants",
    "ijb": "7 protocol variants",
    DETECTION: "8 data",
    RESOURCES: "9 resources",
}


def report_tables(config: dict) -> list[str]:
    """The tables `sphere report` writes, in order; each has `.md` and per-seed `_seeds.csv` beside it."""
    wanted = config["tables"]
    names = ["accuracy_vs_m", "angle_stats"] + [t for t in ("loss_comparison", "accuracy_vs_depth") if t in wanted]
    if wanted.get("budget"):
        names.append("budget")
    if wanted.get("toy"):
        names.append("toy_angles")
    if "megaface" in config:
        names.append("megaface")
    return names


def report_figures(config: dict) -> list[str]:
    """The figures `sphere report` draws, in order."""
    wanted = config["tables"]
    names = ["angle_hist", "accuracy_vs_m"]
    if "accuracy_vs_depth" in wanted:
        names.append("accuracy_vs_depth")
    if wanted.get("budget"):
        names.append("budget")
    if wanted.get("toy"):
        names.append("sphere3d")
    if "megaface" in config:
        names += ["megaface_cmc", "megaface_roc"]
    return names


def table_files(paths: RunPaths, name: str, seeds: bool = True) -> list[Path]:
    """A table's files: `<name>.csv`, `<name>.md` and (with `seeds`) `<name>_seeds.csv`."""
    return [paths.table(name), paths.table_md(name)] + ([paths.seeds_table(name)] if seeds else [])


def report_files(config: dict, paths: RunPaths, cells: list[tuple[str, int]]) -> list[Path]:
    """Every file `sphere report` writes: report.json, the tables (csv, md, per seed), the figures and the
    training log of every (method, seed) cell in `cells`."""
    return (
        [paths.summary]
        + [f for t in report_tables(config) for f in table_files(paths, t)]
        + [paths.figure(f) for f in report_figures(config)]
        + [paths.training_log(m, s) for m, s in cells]
    )


def claims_files(paths: RunPaths) -> list[Path]:
    """What `sphere claims` writes: tables/claims.csv, claims.md and figures/claims.png."""
    return table_files(paths, CLAIMS, seeds=False) + [paths.figure(CLAIMS)]


def evaluate_tables(config: dict) -> list[str]:
    """The tables of the evaluate stage: the rule variants (any benchmark but IJB-C), IJB (when scored)."""
    benchmarks = set(config.get("evaluate", {}).get("benchmarks", ["lfw"])) if "evaluate" in config else set()
    return (["protocol_variants"] if benchmarks - {"ijbc"} else []) + (["ijb"] if "ijbc" in benchmarks else [])
