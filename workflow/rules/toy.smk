# The toy experiment (paper Fig. 5): the 6 training identities with the most images, FC1 of dimension 3.


rule toy_store:
    input:
        PATHS.store_index("train"),
    output:
        images=PATHS.store_images("toy"),
        index=PATHS.store_index("toy"),
    params:
        sphere=sphere_job("toy_store"),
        store=lambda w, input: Path(input[0]).parent,
        out=parent("out:index"),
    log:
        PATHS.log("toy_store"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} subset-store --store {params.store} --top 6 --out {params.out} 2> {log}"


rule toy_features:
    input:
        model=PATHS.model("{method}", "{seed}"),
        store=PATHS.store_index("toy"),
    output:
        PATHS.features("{method}", "{seed}", "toy"),
    params:
        sphere=sphere_job("toy_features", "{method}", "seed{seed}"),
        store=parent("in:store"),
    log:
        PATHS.log("toy_features", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} features --model {input.model} --store {params.store} --out {output} --threads 1 2> {log}"
