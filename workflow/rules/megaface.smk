# MegaFace Challenge 1 (PAPER.md §4): synthetic probe and distractor sets (or the user's devkit files) ->
# aligned stores -> per-method features -> rank-1/CMC and TAR@1e-6 per distractor size.
# Only when the config has a `megaface` section.
if MEGAFACE and SYNTHETIC:

    rule synthesize_megaface:
        input:
            config=CONFIG,
        output:
            probe=directory(PATHS.raw("megaface", "facescrub")),
            distractor=directory(PATHS.raw("megaface", "megaface")),
            lists=directory(PATHS.raw("megaface", "templatelists")),
            probe_landmarks=PATHS.raw("megaface", "probe_landmarks.txt"),
            distractor_landmarks=PATHS.raw("megaface", "distractor_landmarks.txt"),
            manifest=PATHS.raw("megaface", "manifest.json"),
        params:
            sphere=sphere_job("synthesize_megaface"),
            settings={k: v for k, v in config["megaface"].items() if k in ("synthetic", "sizes")},
            out=parent("out:manifest"),
        threads: all_cores
        priority: PRIORITY["data"]
        log:
            PATHS.log("synthesize_megaface"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step synth-megaface --config {input.config} --out {params.out} --workers {threads} 2> {log}"


if MEGAFACE:

    rule megaface:
        input:
            probe=PATHS.features("{method}", "{seed}", "probe"),
            distractor=PATHS.features("{method}", "{seed}", "distractor"),
            probe_store=PATHS.store_index("probe"),
            distractor_store=PATHS.store_index("distractor"),
            lists=raw("megaface_lists"),
        output:
            PATHS.metrics("{method}", "{seed}", "megaface.json"),
        params:
            sphere=sphere_job("megaface", "{method}", "seed{seed}"),
            probe_store=parent("in:probe_store"),
            distractor_store=parent("in:distractor_store"),
            probe_list=raw("probe_list"),
            options=megaface_options(),
        log:
            PATHS.log("megaface", "{method}", "seed{seed}"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step megaface --probe-features {input.probe} --probe-store {params.probe_store} "
            "--distractor-features {input.distractor} --distractor-store {params.distractor_store} "
            "--probe-list {params.probe_list} --lists {input.lists} --out {output}{params.options} > {log} 2>&1"
