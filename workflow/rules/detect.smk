# MTCNN landmarks (PAPER.md §3) when data.detect is true: <run>/raw/landmarks/{train,test}.txt plus each
# image's outcome. (A run on folders that are absent stops at parse time: common.smk.)
if DETECT:

    rule detect:
        input:
            root=lambda w: raw(f"{w.split}_root"),
        output:
            landmarks=PATHS.landmarks("{split}"),
            detections=PATHS.detections("{split}"),
            summary=PATHS.detection_summary("{split}"),
        wildcard_constraints:
            split="train|test",
        params:
            sphere=sphere_job("detect", "{split}"),
            options=detect_options,
        threads: job_threads
        resources:
            gpu=int(DATA.detect_device != "cpu"),
        log:
            PATHS.log("detect", "{split}"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step detect-landmarks --root {input.root} --out {output.landmarks}{params.options} "
            "--detections {output.detections} --summary {output.summary} --threads {threads} 2> {log}"

    rule detection_table:
        input:
            expand(PATHS.detection_summary("{split}"), split=DETECTED_SPLITS),
        output:
            reported(PATHS.table(outputs.DETECTION), "tables/detection", outputs.CATEGORY[outputs.DETECTION], "tables"),
        params:
            sphere=sphere_job("detection_table"),
            splits=" ".join(DETECTED_SPLITS),
        log:
            PATHS.log("detection_table"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step detection-table --summary {input} --split {params.splits} --out {output} 2> {log}"
