# One job embeds every store the DAG scores a model on: one torch start instead of three (YTF and MegaFace
# stores are embedded for every method, 0.5 s each, though only their sections' methods are scored on them).
EMBEDDED = ["test", *(["ytf"] if YTF else []), *(["probe", "distractor"] if MEGAFACE else [])]


rule features:
    input:
        model=PATHS.model("{method}", "{seed}"),
        **{store: PATHS.store_index(store) for store in EMBEDDED},
    output:
        **{store: PATHS.features("{method}", "{seed}", None if store == "test" else store) for store in EMBEDDED},
    params:
        sphere=sphere_job("features", "{method}", "seed{seed}"),
        stores=lambda wildcards, input: [Path(input[store]).parent for store in EMBEDDED],
    threads: 1
    log:
        PATHS.log("features", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} features --model {input.model} --store {params.stores} --out {output} "
        "--threads {threads} 2> {log}"


rule lfw:
    input:
        features=PATHS.features("{method}", "{seed}"),
        store=PATHS.store_index("test"),
        pairs=raw("pairs"),
    output:
        result=PATHS.metrics("{method}", "{seed}", "lfw.json"),
        pairs=PATHS.metrics("{method}", "{seed}", "pairs.csv"),
    params:
        sphere=sphere_job("lfw", "{method}", "seed{seed}"),
        store=parent("in:store"),
        out=parent("out:result"),
    log:
        PATHS.log("lfw", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} lfw --features {input.features} --store {params.store} --pairs {input.pairs} "
        "--out {params.out} > {log} 2>&1"
