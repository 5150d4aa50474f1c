# Train/test identity overlap (issue 25): the training store against each scored test store, embedded with the
# run's best model (chosen from report.json by `sphere leakage --run-dir`), tables/leakage.csv (+ .md) and
# figures/leakage.png. One job, a few seconds at the default's size.


rule leakage:
    input:
        summary=PATHS.summary,
        train=PATHS.store_index("train"),
        **{store: PATHS.store_index(store) for store in EMBEDDED if store != "distractor"},
    output:
        table_outputs(outputs.LEAKAGE, seeds=False),
        figure_output(outputs.LEAKAGE),
    params:
        sphere=sphere_job("leakage"),
        run=lambda w, input: Path(input.summary).parent,
        table=lambda w, output: output[0],
        figure=lambda w, output: output[2],
        train=parent("in:train"),
        tests=lambda w, input: " ".join(
            f"--test {'lfw' if s == 'test' else s}={Path(input[s]).parent}" for s in EMBEDDED if s != "distractor"
        ),
    log:
        PATHS.log("leakage"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step leakage --train-store {params.train} {params.tests} --run-dir {params.run} "
        "--out {params.table} --figure {params.figure} > {log} 2>&1"
