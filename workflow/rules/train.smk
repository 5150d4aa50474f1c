# A training cell, then (in the same process: one torch start) the features of the stores its method is scored
# on: every scored store for a method of the train store (EMBEDDED, evaluate.smk), the toy store for a toy method.
rule train:
    input:
        config=CONFIG,
        store=lambda w: PATHS.store_index(train_store(w.method)),
        embed=[PATHS.store_index(store) for store in EMBEDDED],
    # checkpoint.pt, checkpoint.prev.pt, checkpoint.sha256, metrics.csv and train.lock are the training's
    # resume state beside these: undeclared on purpose, since Snakemake deletes a job's outputs before it
    # reruns and a killed training must resume from them (tests/workflow/test_kill_resume.py).
    output:
        model=PATHS.model("{method}", "{seed}"),
        status=PATHS.status("{method}", "{seed}"),
        record=PATHS.train_record("{method}", "{seed}"),
        **{store: PATHS.features("{method}", "{seed}", None if store == "test" else store) for store in EMBEDDED},
    params:
        sphere=sphere_job("train", "{method}", "seed{seed}"),
        store=parent("in:store"),
        out=parent("out:model"),
        embed=lambda w, input: [Path(f).parent for f in input.embed],
        embed_out=lambda w, output: [output[store] for store in embedded_stores(w.method)],
        settings=lambda w: train_settings(w.method, w.seed),  # a changed setting retrains this cell only
    wildcard_constraints:
        method=methods_pattern(m for m in METHODS if train_store(m) != "toy"),
    threads: job_threads
    priority: PRIORITY["train"]
    resources:
        # one GPU unless the method pins the CPU; the default profile caps the total at the GPUs present
        gpu=gpu_training,
        slurm_partition=training_partition,  # used by workflow/profiles/slurm only
    log:
        PATHS.log("train", "{method}", "seed{seed}"),
    conda:
        CONDA_GPU_ENV
    shell:
        "{params.sphere} train --config {input.config} --method {wildcards.method} --seed {wildcards.seed} "
        "--store {params.store} --out {params.out} --threads {threads} "
        "--embed {params.embed} --embed-out {params.embed_out} 2> {log}"


# A toy method (paper Fig. 5) trains on the toy store and is embedded on it alone.
use rule train as train_toy with:
    input:
        config=CONFIG,
        store=PATHS.store_index("toy"),
        embed=[PATHS.store_index("toy")],
    output:
        model=PATHS.model("{method}", "{seed}"),
        status=PATHS.status("{method}", "{seed}"),
        record=PATHS.train_record("{method}", "{seed}"),
        toy=PATHS.features("{method}", "{seed}", "toy"),
    wildcard_constraints:
        method=methods_pattern(m for m in METHODS if train_store(m) == "toy"),


# Seed 0 of a method for distribution, float16 weights (`snakemake checkpoints`, or `all` with export_checkpoints),
# written to exported/: the committed checkpoints/ are no job's output, so no run overwrites them (issue 23); to
# ship new ones, copy exported/*.pt over checkpoints/ by hand.
rule export_model:
    input:
        model=lambda w: PATHS.model(w.method, export_seed(w.method)),
    output:
        exported_checkpoint("{method}"),
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
