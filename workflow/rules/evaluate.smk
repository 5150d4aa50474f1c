rule features:
    input:
        model=RUN / "models" / "{method}" / "seed{seed}" / "model.pt",
        store=RUN / "stores" / "test" / "index.csv",
    output:
        RUN / "features" / "{method}" / "seed{seed}.npy",
    threads: 1
    log:
        RUN / "logs" / "features_{method}_seed{seed}.log",
    shell:
        "{SPHERE} features --model {input.model} --store {RUN}/stores/test --out {output} "
        "--threads {threads} 2> {log}"


rule lfw:
    input:
        features=RUN / "features" / "{method}" / "seed{seed}.npy",
        store=RUN / "stores" / "test" / "index.csv",
        pairs=raw("pairs"),
    output:
        RUN / "metrics" / "{method}" / "seed{seed}" / "lfw.json",
        RUN / "metrics" / "{method}" / "seed{seed}" / "pairs.csv",
    log:
        RUN / "logs" / "lfw_{method}_seed{seed}.log",
    shell:
        "{SPHERE} lfw --features {input.features} --store {RUN}/stores/test --pairs {input.pairs} "
        "--out {RUN}/metrics/{wildcards.method}/seed{wildcards.seed} > {log} 2>&1"
