# LFW of every training cell: `sphere evaluate` with the released rule (the same code as any user's
# `sphere evaluate`), plus each pair's scores and verdict for the claims table's McNemar test.
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
        "{params.sphere} evaluate --benchmark lfw --features {input.features} --store {params.store} "
        "--pairs {input.pairs} --rule released --name lfw --pair-scores {output.pairs} --out {params.out} > {log} 2>&1"
