rule train:
    input:
        store=lambda w: train_store(w.method) / "index.csv",
    output:
        RUN / "models" / "{method}" / "model.pt",
        RUN / "models" / "{method}" / "status.json",
    params:
        store=lambda w: train_store(w.method),
        settings=lambda w: train_settings(w.method),  # a changed setting retrains this method only
    threads: job_threads
    resources:
        # one GPU unless the method pins the CPU; the default profile caps the total at the GPUs present
        gpu=lambda w: int(train_setting(w.method, "device") != "cpu"),
    log:
        RUN / "logs" / "train_{method}.log",
    shell:
        "{SPHERE} train --config {CONFIG} --method {wildcards.method} "
        "--store {params.store} --out {RUN}/models/{wildcards.method} --threads {threads} 2> {log}"
