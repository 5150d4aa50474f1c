rule train:
    input:
        config=CONFIG,
        store=lambda w: PATHS.store_index(train_store(w.method)),
    # checkpoint.pt, checkpoint.prev.pt, checkpoint.sha256, metrics.csv and train.lock are the training's
    # resume state beside these: undeclared on purpose, since Snakemake deletes a job's outputs before it
    # reruns and a killed training must resume from them (tests/workflow/test_kill_resume.py).
    output:
        model=PATHS.model("{method}", "{seed}"),
        status=PATHS.status("{method}", "{seed}"),
        record=PATHS.train_record("{method}", "{seed}"),
    params:
        sphere=sphere_job("train", "{method}", "seed{seed}"),
        store=parent("in:store"),
        out=parent("out:model"),
        settings=lambda w: train_settings(w.method, w.seed),  # a changed setting retrains this cell only
    threads: job_threads
    priority: PRIORITY["train"]
    resources:
        # one GPU unless the method pins the CPU; the default profile caps the total at the GPUs present
        gpu=lambda w: int(train_setting(w.method, "device") != "cpu"),
    log:
        PATHS.log("train", "{method}", "seed{seed}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} train --config {input.config} --method {wildcards.method} --seed {wildcards.seed} "
        "--store {params.store} --out {params.out} --threads {threads} 2> {log}"


# Seed 0 of a method for distribution, float16 weights (`snakemake checkpoints`, or `all` with export_checkpoints).
rule export_model:
    input:
        model=lambda w: PATHS.model(w.method, export_seed(w.method)),
    output:
        PATHS.checkpoint("{method}"),
    params:
        sphere=sphere_job("export_model", "{method}"),
    log:
        PATHS.log("export_model", "{method}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} export-model --model {input.model} --out {output} 2> {log}"


rule checkpoints:
    input:
        checkpoint_files(),
