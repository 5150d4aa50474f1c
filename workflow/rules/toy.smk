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
        "{params.sphere} step subset-store --store {params.store} --top 6 --out {params.out} 2> {log}"
