# The paper's claims with verdicts (issue 11): effects with 95 % intervals from the per-seed tables and the
# per-pair LFW results, tables/claims.csv (+ .md) and the forest plot figures/claims.png.


rule claims:
    input:
        CONFIG,
        RUN / "report.json",
        cells(RUN / "metrics" / "{method}" / "seed{seed}" / "lfw.json", EVAL_METHODS),
        cells(RUN / "metrics" / "{method}" / "seed{seed}" / "pairs.csv", EVAL_METHODS),
    output:
        RUN / "tables" / "claims.csv",
        RUN / "tables" / "claims.md",
        RUN / "figures" / "claims.png",
    log:
        RUN / "logs" / "claims.log",
    shell:
        "{SPHERE} claims --config {CONFIG} --run-dir {RUN} 2> {log}"
