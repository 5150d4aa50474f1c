rule train:
    input:
        store=lambda w: train_store(w.method) / "index.csv",
    output:
        RUN / "models" / "{method}" / "seed{seed}" / "model.pt",
        RUN / "models" / "{method}" / "seed{seed}" / "status.json",
    params:
        store=lambda w: train_store(w.method),
        settings=lambda w: train_settings(w.method, w.seed),  # a changed setting retrains this cell only
    threads: job_threads
    resources:
        # one GPU unless the method pins the CPU; the default profile caps the total at the GPUs present
        gpu=lambda w: int(train_setting(w.method, "device") != "cpu"),
    log:
        RUN / "logs" / "train_{method}_seed{seed}.log",
    shell:
        "{SPHERE} train --config {CONFIG} --method {wildcards.method} --seed {wildcards.seed} "
        "--store {params.store} --out {RUN}/models/{wildcards.method}/seed{wildcards.seed} --threads {threads} 2> {log}"
