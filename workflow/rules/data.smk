if SYNTHETIC:

    rule synthesize:
        params:
            settings=config.get("synthetic", {}),  # a changed setting reruns this rule (and what follows)
        output:
            directory(RUN / "raw" / "train"),
            directory(RUN / "raw" / "lfw"),
            RUN / "raw" / "train_landmarks.txt",
            RUN / "raw" / "lfw_landmarks.txt",
            RUN / "raw" / "pairs.txt",
        threads: all_cores
        log:
            RUN / "logs" / "synthesize.log",
        shell:
            "{SPHERE} synth --config {CONFIG} --out {RUN}/raw --workers {threads} 2> {log}"


rule align:
    input:
        root=lambda w: raw(f"{w.split}_root"),
        landmarks=lambda w: raw(f"{w.split}_landmarks"),
        detections=lambda w: detections_of(w.split),
    output:
        RUN / "stores" / "{split}" / "images.npy",
        RUN / "stores" / "{split}" / "index.csv",
    wildcard_constraints:
        split="train|test|ytf|probe|distractor",
    params:
        crop=" ".join(str(v) for v in config.get("crop", [112, 96])),
        options=lambda w, input: "".join(
            [f" --detections {input.detections}" if input.detections else "",
             f" --min-images {MIN_IMAGES}" if w.split == "train" and MIN_IMAGES > 1 else "",
             EXCLUDE if w.split == "train" else ""]),
    log:
        RUN / "logs" / "align_{split}.log",
    shell:
        "{SPHERE} align --root {input.root} --landmarks {input.landmarks} "
        "--out {RUN}/stores/{wildcards.split} --crop {params.crop}{params.options} 2> {log}"
