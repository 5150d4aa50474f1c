# The paper's claims with verdicts (issue 11): effects with 95 % intervals from the per-seed tables and the
# per-pair LFW results, tables/claims.csv (+ .md) and the forest plot figures/claims.png.


rule claims:
    input:
        config=PATHS.config,
        summary=PATHS.summary,
        lfw=cells(PATHS.metrics("{method}", "{seed}", "lfw.json"), EVAL_METHODS),
        pairs=cells(PATHS.metrics("{method}", "{seed}", "pairs.csv"), EVAL_METHODS),
    output:
        table_outputs(outputs.CLAIMS, seeds=False),
        figure_output(outputs.CLAIMS),
    params:
        sphere=sphere_job("claims"),
        run=lambda w, input: Path(input.config).parent,
        config=CONFIG_DIGEST,
    log:
        PATHS.log("claims"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step claims --config {input.config} --run-dir {params.run} 2> {log}"
