def report_outputs():
    """The tables and figures a run's config asks for."""
    tables = ["accuracy_vs_m", "angle_stats"] + [t for t in ("loss_comparison", "accuracy_vs_depth") if t in TABLES]
    figures = ["angle_hist", "accuracy_vs_m"] + (["accuracy_vs_depth"] if "accuracy_vs_depth" in TABLES else [])
    if TOY_METHODS:
        tables.append("toy_angles")
        figures.append("sphere3d")
    if MEGAFACE:
        tables.append("megaface")
        figures += ["megaface_cmc", "megaface_roc"]
    return [RUN / "tables" / f"{t}.csv" for t in tables] + [RUN / "figures" / f"{f}.png" for f in figures]


rule report:
    input:
        CONFIG,
        expand(RUN / "models" / "{method}" / "status.json", method=METHODS),
        expand(RUN / "metrics" / "{method}" / "lfw.json", method=EVAL_METHODS),
        expand(RUN / "features" / "{method}.npy", method=EVAL_METHODS),
        expand(RUN / "features" / "toy" / "{method}.npy", method=TOY_METHODS),
        expand(RUN / "metrics" / "{method}" / "ytf.json", method=YTF_METHODS),
        expand(RUN / "metrics" / "{method}" / "megaface.json", method=MEGAFACE_METHODS),
    output:
        RUN / "report.json",
        report_outputs(),
    log:
        RUN / "logs" / "report.log",
    shell:
        "{SPHERE} report --config {CONFIG} --run-dir {RUN} 2> {log}"
