# The resolved config next to the run's outputs where it is missing (see CONFIG_MISSING in common.smk), then raw faces ->
# aligned stores: the synthetic generator (data.source: synthetic) or the user's folders; with data.source: recordio
# the train store comes from an insightface train.rec instead (aligned already: cut to the crop, no detection).


if CONFIG_MISSING:

    rule resolved_config:
        input:
            workflow.configfiles,
        output:
            config=PATHS.config,
        params:
            text=RESOLVED,
        localrule: True
        log:
            PATHS.log("resolved_config"),
        conda:
            CONDA_ENV
        # a shell job, not `run:`: Snakemake runs a `run:` job in a new process that parses the whole workflow
        # again (snakemake/snakemake#2350), which took 8 s at the start of the default DAG
        shell:
            "printf '%s' {params.text:q} > {output.config}"


if SYNTHETIC:

    rule synthesize:
        input:
            config=CONFIG,
        output:
            train=directory(PATHS.raw("train")),
            test=directory(PATHS.raw("lfw")),
            train_landmarks=PATHS.raw("train_landmarks.txt"),
            test_landmarks=PATHS.raw("lfw_landmarks.txt"),
            pairs=PATHS.raw("pairs.txt"),
            manifest=PATHS.raw("manifest.json"),
        params:
            sphere=sphere_job("synthesize"),
            settings=config.get("synthetic", {}),  # a changed setting reruns this rule (and what follows)
            out=parent("out:manifest"),
        threads: all_cores
        log:
            PATHS.log("synthesize"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step synth --config {input.config} --out {params.out} --workers {threads} 2> {log}"


rule align:
    input:
        root=lambda w: raw(f"{w.split}_root"),
        landmarks=lambda w: raw(f"{w.split}_landmarks"),
        detections=lambda w: detections_of(w.split),
    output:
        images=PATHS.store_images("{split}"),
        index=PATHS.store_index("{split}"),
    wildcard_constraints:
        split="test|ytf|probe|distractor" if RECORDIO else "train|test|ytf|probe|distractor",
    params:
        sphere=sphere_job("align", "{split}"),
        out=parent("out:index"),
        crop=" ".join(str(v) for v in CFG.crop),
        options=align_options,
    priority: PRIORITY["data"]
    log:
        PATHS.log("align", "{split}"),
    conda:
        CONDA_ENV
    shell:
        "{params.sphere} step align --root {input.root} --landmarks {input.landmarks} "
        "--out {params.out} --crop {params.crop}{params.options} 2> {log}"


if RECORDIO:

    rule store_recordio:
        input:
            rec=raw("train_rec"),
            idx=raw("train_idx"),
        output:
            images=PATHS.store_images("train"),
            index=PATHS.store_index("train"),
        params:
            sphere=sphere_job("store_recordio"),
            out=parent("out:index"),
            crop=" ".join(str(v) for v in CFG.crop),
            filters=f"{EXCLUDE} --min-images {MIN_IMAGES}",
        threads: all_cores
        priority: PRIORITY["data"]
        log:
            PATHS.log("store_recordio"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step store-recordio --rec {input.rec} --idx {input.idx} --out {params.out} "
            "--crop {params.crop}{params.filters} --workers {threads} 2> {log}"
