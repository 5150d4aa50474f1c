# `sphere evaluate` (issue 10): every method of the `evaluate` section on LFW, its .bin stand-in,
# YTF and an IJB-C-format stand-in, under every harness's rule, side by side in tables/protocol_variants.csv.
if EVALUATE:

    rule evaluate_standins:
        input:
            store=PATHS.store_index("test"),
            pairs=raw("pairs"),
            root=raw("test_root"),
            landmarks=raw("test_landmarks"),
        output:
            bin=PATHS.standins / "lfw.bin",
            meta=directory(PATHS.standins / "ijbc" / "meta"),
            crops=directory(PATHS.standins / "ijbc" / "loose_crop"),
        params:
            sphere=sphere_job("evaluate_standins"),
            store=parent("in:store"),
            out=parent("out:bin"),
        log:
            PATHS.log("evaluate_standins"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step evaluate-standins --store {params.store} --pairs {input.pairs} --root {input.root} "
            "--landmarks {input.landmarks} --out {params.out} 2> {log}"

    # verification benchmarks: the result and its per-rule table; IJB-C (below): the result only
    rule evaluate_verification:
        input:
            unpack(evaluate_inputs),
        output:
            result=PATHS.evaluate_result("{method}", "{bench}"),
            variants=PATHS.evaluate_dir("{method}", "{bench}") / "protocol_variants.csv",
        wildcard_constraints:
            bench=VERIFICATION_BENCHMARKS,
        params:
            sphere=sphere_job("evaluate_verification", "{method}", "{bench}"),
            args=evaluate_args,
            out=parent("out:result"),
        threads: 1
        log:
            PATHS.log("evaluate_verification", "{method}", "{bench}"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} evaluate {params.args} --rule all --name {wildcards.bench} --method {wildcards.method} "
            "--device cpu --out {params.out} > {log} 2>&1"

    rule evaluate_ijb:
        input:
            unpack(evaluate_inputs),
        output:
            result=PATHS.evaluate_result("{method}", "{bench}"),
        wildcard_constraints:
            bench=IJB_BENCHMARKS,
        params:
            sphere=sphere_job("evaluate_ijb", "{method}", "{bench}"),
            args=evaluate_args,
            out=parent("out:result"),
        threads: 1
        log:
            PATHS.log("evaluate_ijb", "{method}", "{bench}"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} evaluate {params.args} --rule all --name {wildcards.bench} --method {wildcards.method} "
            "--device cpu --out {params.out} > {log} 2>&1"

    rule evaluate_table:
        input:
            evaluate_results()[0],
        output:
            [f for name in outputs.evaluate_tables(CFG) for f in table_outputs(name, seeds=False)],
        params:
            sphere=sphere_job("evaluate_table"),
            methods=" ".join(evaluate_results()[1]),
            out=lambda w, output: Path(output[0]).parent,
        log:
            PATHS.log("evaluate_table"),
        conda:
            CONDA_ENV
        shell:
            "{params.sphere} step evaluate-table --results {input} --methods {params.methods} --out-dir {params.out} > {log} 2>&1"
