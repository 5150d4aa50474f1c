rule train:
    input:
        config=CONFIG,
        store=RUN / "stores" / "train" / "index.csv",
    output:
        RUN / "models" / "{method}" / "model.pt",
    threads: config.get("train", {}).get("threads", 1) or workflow.cores
    resources:
        gpu=lambda w: 1 if config.get("train", {}).get("device", "auto") != "cpu" else 0,
    log:
        RUN / "logs" / "train_{method}.log",
    shell:
        "{SPHERE} train --config {input.config} --method {wildcards.method} "
        "--store {RUN}/stores/train --out {RUN}/models/{wildcards.method} --threads {threads} 2> {log}"
