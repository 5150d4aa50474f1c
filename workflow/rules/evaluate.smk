rule features:
    input:
        model=RUN / "models" / "{method}" / "model.pt",
        store=RUN / "stores" / "test" / "index.csv",
    output:
        RUN / "features" / "{method}.npy",
    wildcard_constraints:
        method="[^/]+",
    threads: 1
    log:
        RUN / "logs" / "features_{method}.log",
    shell:
        "{SPHERE} features --model {input.model} --store {RUN}/stores/test --out {output} "
        "--threads {threads} 2> {log}"


rule lfw:
    input:
        features=RUN / "features" / "{method}.npy",
        store=RUN / "stores" / "test" / "index.csv",
        pairs=raw("pairs"),
    output:
        RUN / "metrics" / "{method}" / "lfw.json",
        RUN / "metrics" / "{method}" / "pairs.csv",
    log:
        RUN / "logs" / "lfw_{method}.log",
    shell:
        "{SPHERE} lfw --features {input.features} --store {RUN}/stores/test --pairs {input.pairs} "
        "--out {RUN}/metrics/{wildcards.method} > {log} 2>&1"
