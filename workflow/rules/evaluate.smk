rule features:
    input:
        model=PATHS.model("{method}", "{seed}"),
        store=PATHS.store_index("test"),
    output:
        PATHS.features("{method}", "{seed}"),
    params:
        sphere=SPHERE,
        store=parent("in:store"),
    threads: 1
    log:
        PATHS.log("features", "{method}", "seed{seed}"),
    benchmark:
        PATHS.benchmark("features", "{method}", "seed{seed}")
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} features --model {input.model} --store {params.store} --out {output} "
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
        sphere=SPHERE,
        store=parent("in:store"),
        out=parent("out:result"),
    log:
        PATHS.log("lfw", "{method}", "seed{seed}"),
    benchmark:
        PATHS.benchmark("lfw", "{method}", "seed{seed}")
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} lfw --features {input.features} --store {params.store} --pairs {input.pairs} "
        "--out {params.out} > {log} 2>&1"
