# YouTube Faces (PAPER.md §4): synthetic videos (or the user's frames) -> aligned frame store ->
# per-method frame features -> 10-split video verification. Only when the config has a `ytf` section.
YTF_OPTIONS = "".join(
    f" --{key.replace('_', '-')} {config['ytf'][key]}" for key in ("frame_cap", "frame_selection") if key in config.get("ytf", {})
)

if YTF and SYNTHETIC:

    rule synthesize_ytf:
        params:
            settings=config["ytf"].get("synthetic", {}),
        output:
            directory(RUN / "raw" / "ytf" / "frame_images_DB"),
            RUN / "raw" / "ytf" / "ytf_landmarks.txt",
            RUN / "raw" / "ytf" / "splits.txt",
        threads: all_cores
        log:
            RUN / "logs" / "synthesize_ytf.log",
        shell:
            "{SPHERE} synth-ytf --config {CONFIG} --out {RUN}/raw/ytf --workers {threads} 2> {log}"


if YTF:

    rule ytf_features:
        input:
            model=RUN / "models" / "{method}" / "seed{seed}" / "model.pt",
            store=RUN / "stores" / "ytf" / "index.csv",
        output:
            RUN / "features" / "ytf" / "{method}" / "seed{seed}.npy",
        threads: 1
        log:
            RUN / "logs" / "features_ytf_{method}_seed{seed}.log",
        shell:
            "{SPHERE} features --model {input.model} --store {RUN}/stores/ytf --out {output} "
            "--threads {threads} 2> {log}"

    rule ytf:
        input:
            features=RUN / "features" / "ytf" / "{method}" / "seed{seed}.npy",
            store=RUN / "stores" / "ytf" / "index.csv",
            splits=raw("ytf_splits"),
        output:
            RUN / "metrics" / "{method}" / "seed{seed}" / "ytf.json",
        log:
            RUN / "logs" / "ytf_{method}_seed{seed}.log",
        shell:
            "{SPHERE} ytf --features {input.features} --store {RUN}/stores/ytf --splits {input.splits} "
            "--out {output}{YTF_OPTIONS} > {log} 2>&1"
