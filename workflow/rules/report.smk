def report_outputs():
    """The tables and figures a run's config asks for."""
    tables = ["accuracy_vs_m", "angle_stats"] + [t for t in ("loss_comparison", "accuracy_vs_depth", "budget") if t in TABLES]
    figures = ["angle_hist", "accuracy_vs_m"] + [f for f in ("accuracy_vs_depth", "budget") if f in TABLES]
    if TOY_METHODS:
        tables.append("toy_angles")
        figures.append("sphere3d")
    if MEGAFACE:
        tables.append("megaface")
        figures += ["megaface_cmc", "megaface_roc"]
    # every table has its per-seed rows beside it: tables/<table>_seeds.csv (method, seed, metrics)
    return ([RUN / "tables" / f"{t}{suffix}.csv" for t in tables for suffix in ("", "_seeds")]
            + [RUN / "figures" / f"{f}.png" for f in figures])


rule report:
    input:
        CONFIG,
        cells(RUN / "models" / "{method}" / "seed{seed}" / "status.json", METHODS),
        cells(RUN / "metrics" / "{method}" / "seed{seed}" / "lfw.json", EVAL_METHODS),
        cells(RUN / "features" / "{method}" / "seed{seed}.npy", EVAL_METHODS),
        cells(RUN / "features" / "toy" / "{method}" / "seed{seed}.npy", TOY_METHODS),
        cells(RUN / "metrics" / "{method}" / "seed{seed}" / "ytf.json", YTF_METHODS),
        cells(RUN / "metrics" / "{method}" / "seed{seed}" / "megaface.json", MEGAFACE_METHODS),
    output:
        RUN / "report.json",
        report_outputs(),
    log:
        RUN / "logs" / "report.log",
    shell:
        "{SPHERE} report --config {CONFIG} --run-dir {RUN} 2> {log}"
