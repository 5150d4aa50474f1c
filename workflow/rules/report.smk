rule report:
    input:
        CONFIG,
        expand(RUN / "metrics" / "{method}" / "lfw.json", method=METHODS),
        expand(RUN / "features" / "{method}.npy", method=METHODS),
    output:
        RUN / "report.json",
        RUN / "tables" / "accuracy_vs_m.csv",
        RUN / "tables" / "accuracy_vs_m.md",
        RUN / "tables" / "angle_stats.csv",
        RUN / "figures" / "angle_hist.png",
        RUN / "figures" / "accuracy_vs_m.png",
    log:
        RUN / "logs" / "report.log",
    shell:
        "{SPHERE} report --config {CONFIG} --run-dir {RUN} 2> {log}"
