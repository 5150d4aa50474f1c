# The shipped models (issue 23): `snakemake --cores all --configfile config/celeba-lfw.yaml score_shipped` scores
# the committed checkpoints (results/<run>/checkpoints/<method>.pt, each method's seed 0) on the run's benchmarks
# and rebuilds its tables and figures from them under results/<run>/shipped/, without training: the checkpoints
# are inputs that no rule writes (export_model writes exported/), and every table says its rows are one seed.
rule shipped_config:
    output:
        SHIPPED.config,
    params:
        text=resolved_text(shipped_config()),
    localrule: True
    log:
        SHIPPED.log("shipped_config"),
    conda:
        CONDA_ENV
    # the report reads the test store under its run folder: the run's own stores, linked, not copied
    shell:
        "printf '%s' {params.text:q} > {output} && ln -sfn ../stores $(dirname {output})/stores"


rule shipped_model:
    input:
        ancient(PATHS.checkpoint("{method}")),
    output:
        model=SHIPPED.model("{method}", "{seed}"),
        status=SHIPPED.status("{method}", "{seed}"),
    localrule: True
    log:
        SHIPPED.log("shipped_model", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    params:
        sphere=shipped_job("ship", "{method}", "seed{seed}"),
    shell:
        "{params.sphere} step ship --checkpoint {input} --model {output.model} --status {output.status} 2> {log}"


rule shipped_features:
    input:
        model=SHIPPED.model("{method}", "{seed}"),
        **{store: PATHS.store_index(store) for store in EMBEDDED},
    output:
        **{store: SHIPPED.features("{method}", "{seed}", None if store == "test" else store) for store in EMBEDDED},
    params:
        sphere=shipped_job("features", "{method}", "seed{seed}"),
        stores=lambda wildcards, input: [Path(input[store]).parent for store in EMBEDDED],
    threads: 1
    log:
        SHIPPED.log("features", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} features --model {input.model} --store {params.stores} --out {output} "
        "--threads {threads} 2> {log}"


use rule lfw as shipped_lfw with:
    input:
        features=SHIPPED.features("{method}", "{seed}"),
        store=PATHS.store_index("test"),
        pairs=raw("pairs"),
    output:
        result=SHIPPED.metrics("{method}", "{seed}", "lfw.json"),
        pairs=SHIPPED.metrics("{method}", "{seed}", "pairs.csv"),
    params:
        sphere=shipped_job("lfw", "{method}", "seed{seed}"),
        store=parent("in:store"),
        out=parent("out:result"),
    log:
        SHIPPED.log("lfw", "{method}", "seed{seed}"),


if YTF:

    use rule ytf as shipped_ytf with:
        input:
            features=SHIPPED.features("{method}", "{seed}", "ytf"),
            store=PATHS.store_index("ytf"),
            splits=raw("ytf_splits"),
        output:
            SHIPPED.metrics("{method}", "{seed}", "ytf.json"),
        params:
            sphere=shipped_job("ytf", "{method}", "seed{seed}"),
            store=parent("in:store"),
            options=ytf_options(),
        log:
            SHIPPED.log("ytf", "{method}", "seed{seed}"),


if MEGAFACE:

    use rule megaface as shipped_megaface with:
        input:
            probe=SHIPPED.features("{method}", "{seed}", "probe"),
            distractor=SHIPPED.features("{method}", "{seed}", "distractor"),
            probe_store=PATHS.store_index("probe"),
            distractor_store=PATHS.store_index("distractor"),
            lists=raw("megaface_lists"),
        output:
            SHIPPED.metrics("{method}", "{seed}", "megaface.json"),
        params:
            sphere=shipped_job("megaface", "{method}", "seed{seed}"),
            probe_store=parent("in:probe_store"),
            distractor_store=parent("in:distractor_store"),
            probe_list=raw("probe_list"),
            options=megaface_options(),
        log:
            SHIPPED.log("megaface", "{method}", "seed{seed}"),


rule score_shipped:
    input:
        config=SHIPPED.config,
        status=shipped_cells(SHIPPED.status("{method}", "{seed}"), METHODS),
        lfw=shipped_cells(SHIPPED.metrics("{method}", "{seed}", "lfw.json"), EVAL_METHODS),
        features=shipped_cells(SHIPPED.features("{method}", "{seed}"), EVAL_METHODS),
        ytf=shipped_cells(SHIPPED.metrics("{method}", "{seed}", "ytf.json"), YTF_METHODS),
        megaface=shipped_cells(SHIPPED.metrics("{method}", "{seed}", "megaface.json"), MEGAFACE_METHODS),
    params:
        sphere=SPHERE,
        run=SHIPPED.root,
    log:
        SHIPPED.log("score_shipped"),
    conda:
        CONDA_ENV
    # tables (each row: seeds = 1, the shipped seed), figures and claims of the shipped models
    shell:
        "({params.sphere} report --config {input.config} --run-dir {params.run} && "
        "{params.sphere} step claims --config {input.config} --run-dir {params.run}) 2> {log}"
