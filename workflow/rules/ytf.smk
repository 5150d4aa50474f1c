# YouTube Faces (PAPER.md §4): synthetic videos (or the user's frames) -> aligned frame store -> frame
# features (rule features, evaluate.smk) -> 10-split video verification. Only when the config has a `ytf` section.
if YTF and SYNTHETIC:

    rule synthesize_ytf:
        input:
            config=CONFIG,
        output:
            frames=directory(PATHS.raw("ytf", "frame_images_DB")),
            landmarks=PATHS.raw("ytf", "ytf_landmarks.txt"),
            splits=PATHS.raw("ytf", "splits.txt"),
            manifest=PATHS.raw("ytf", "manifest.json"),
        params:
            sphere=sphere_job("synthesize_ytf"),
            settings=config["ytf"].get("synthetic", {}),
            out=parent("out:manifest"),
        threads: all_cores
        priority: PRIORITY["data"]
        log:
            PATHS.log("synthesize_ytf"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step synth-ytf --config {input.config} --out {params.out} --workers {threads} 2> {log}"


if YTF:

    rule ytf:
        input:
            features=PATHS.features("{method}", "{seed}", "ytf"),
            store=PATHS.store_index("ytf"),
            splits=raw("ytf_splits"),
        output:
            result=PATHS.metrics("{method}", "{seed}", "ytf.json"),
        params:
            sphere=sphere_job("ytf", "{method}", "seed{seed}"),
            store=parent("in:store"),
            out=parent("out:result"),
            options=ytf_options(),
        log:
            PATHS.log("ytf", "{method}", "seed{seed}"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} evaluate --benchmark ytf --features {input.features} --store {params.store} "
            "--pairs {input.splits} --rule released --name ytf --out {params.out}{params.options} > {log} 2>&1"
