# Tables and figures of a run (sphere report), every table on one HTML page for `snakemake --report`, the cost
# of every job (tables/resources.csv, from the usage record each job writes), and the reader's view (rule view).


rule report:
    input:
        config=PATHS.config,
        status=cells(PATHS.status("{method}", "{seed}"), METHODS),
        lfw=cells(PATHS.metrics("{method}", "{seed}", "lfw.json"), EVAL_METHODS),
        pairs=cells(PATHS.metrics("{method}", "{seed}", "pairs.csv"), EVAL_METHODS),
        features=cells(PATHS.features("{method}", "{seed}"), EVAL_METHODS),
        test_store=PATHS.store_index("test"),
        toy=cells(PATHS.features("{method}", "{seed}", "toy"), TOY_METHODS),
        toy_store=[PATHS.store_index("toy")] if TOY_METHODS else [],
        ytf=cells(PATHS.metrics("{method}", "{seed}", "ytf.json"), YTF_METHODS),
        megaface=cells(PATHS.metrics("{method}", "{seed}", "megaface.json"), MEGAFACE_METHODS),
    output:
        report_outputs(),
    params:
        sphere=sphere_job("report"),
        run=lambda w, input: Path(input.config).parent,
        config=CONFIG_DIGEST,
        paper=PAPER,  # the paper's numbers, shown in the report's captions
    log:
        PATHS.log("report"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} report --config {input.config} --run-dir {params.run} 2> {log}"


rule tables_page:
    input:
        committed_tables(),
    output:
        reported(PATHS.tables_page, "tables_page", outputs.RESULTS, "all tables"),
    params:
        sphere=sphere_job("tables_page"),
        title=f"sphere: tables of run {CFG.run}",
    log:
        PATHS.log("tables_page"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step tables-page --tables {input} --title '{params.title}' --out {output} 2> {log}"


rule resources:
    input:
        final_outputs(),
    output:
        table=reported(PATHS.table(outputs.RESOURCES), f"tables/{outputs.RESOURCES}", outputs.CATEGORY[outputs.RESOURCES],
                       "tables"),
        markdown=PATHS.table_md(outputs.RESOURCES),
    params:
        sphere=sphere_job("resources"),
        run=lambda w, input: Path(input[0]).parent,
    log:
        PATHS.log("resources"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step resources-table --run-dir {params.run} --out {output.table} 2> {log}"


# The reader's view: `snakemake --cores 1 --report-after-run --report results/<run>/report.html view` builds the
# report of the committed tables, figures and training logs (a fresh clone's, or a finished run's) without the DAG:
# the committed files are params, not inputs, so no job upstream of them joins; the view job reruns when one of
# them changes (their digest is a param). Its outputs are copies under html/view/, made by the job, so Snakemake
# has the metadata of every file it lists.
rule view:
    output:
        view_outputs(),
    params:
        sphere=sphere_job("view"),
        run=PATHS.root,
        out=VIEW,
        digest=view_digest(),
        paper=PAPER,  # the paper's numbers, shown in the captions
    localrule: True
    log:
        PATHS.log("view"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step view --run-dir {params.run} --out {params.out} 2> {log}"
