# MegaFace Challenge 1 (PAPER.md §4): synthetic probe and distractor sets (or the user's devkit files) ->
# aligned stores -> per-method features -> rank-1/CMC and TAR@1e-6 per distractor size.
# Only when the config has a `megaface` section.
MEGAFACE_OPTIONS = ""
if MEGAFACE and "sizes" in config["megaface"]:
    MEGAFACE_OPTIONS += " --sizes " + " ".join(str(s) for s in config["megaface"]["sizes"])
if MEGAFACE and "noise_list" in config["megaface"]:
    MEGAFACE_OPTIONS += f" --noise-list {config['megaface']['noise_list']}"

if MEGAFACE and SYNTHETIC:

    rule synthesize_megaface:
        params:
            settings={k: v for k, v in config["megaface"].items() if k in ("synthetic", "sizes")},
        output:
            directory(RUN / "raw" / "megaface" / "facescrub"),
            directory(RUN / "raw" / "megaface" / "megaface"),
            directory(RUN / "raw" / "megaface" / "templatelists"),
            RUN / "raw" / "megaface" / "probe_landmarks.txt",
            RUN / "raw" / "megaface" / "distractor_landmarks.txt",
        threads: all_cores
        log:
            RUN / "logs" / "synthesize_megaface.log",
        shell:
            "{SPHERE} synth-megaface --config {CONFIG} --out {RUN}/raw/megaface --workers {threads} 2> {log}"


if MEGAFACE:

    rule megaface_features:
        input:
            model=RUN / "models" / "{method}" / "seed{seed}" / "model.pt",
            probe=RUN / "stores" / "probe" / "index.csv",
            distractor=RUN / "stores" / "distractor" / "index.csv",
        output:
            probe=RUN / "features" / "probe" / "{method}" / "seed{seed}.npy",
            distractor=RUN / "features" / "distractor" / "{method}" / "seed{seed}.npy",
        threads: 1
        log:
            RUN / "logs" / "features_megaface_{method}_seed{seed}.log",
        shell:
            "{SPHERE} features --model {input.model} --store {RUN}/stores/probe {RUN}/stores/distractor "
            "--out {output.probe} {output.distractor} --threads {threads} 2> {log}"

    rule megaface:
        input:
            probe=RUN / "features" / "probe" / "{method}" / "seed{seed}.npy",
            distractor=RUN / "features" / "distractor" / "{method}" / "seed{seed}.npy",
            probe_store=RUN / "stores" / "probe" / "index.csv",
            distractor_store=RUN / "stores" / "distractor" / "index.csv",
            lists=raw("megaface_lists"),
        output:
            RUN / "metrics" / "{method}" / "seed{seed}" / "megaface.json",
        params:
            probe_list=raw("probe_list"),
        log:
            RUN / "logs" / "megaface_{method}_seed{seed}.log",
        shell:
            "{SPHERE} megaface --probe-features {input.probe} --probe-store {RUN}/stores/probe "
            "--distractor-features {input.distractor} --distractor-store {RUN}/stores/distractor "
            "--probe-list {params.probe_list} --lists {input.lists} --out {output}{MEGAFACE_OPTIONS} > {log} 2>&1"
