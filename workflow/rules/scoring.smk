# `sphere evaluate` (issue 10): every method of the `evaluate` section on LFW, its .bin stand-in,
# YTF and an IJB-C-format stand-in, under every harness's rule, side by side in tables/protocol_variants.csv.
if EVALUATE:

    rule evaluate_standins:
        input:
            store=RUN / "stores" / "test" / "index.csv",
            pairs=raw("pairs"),
            root=raw("test_root"),
            landmarks=raw("test_landmarks"),
        output:
            STANDINS / "lfw.bin",
            STANDINS / "ijbc" / "meta" / "ijbc_template_pair_label.txt",
            directory(STANDINS / "ijbc" / "loose_crop"),
        log:
            RUN / "logs" / "evaluate_standins.log",
        shell:
            "{SPHERE} evaluate-standins --store {RUN}/stores/test --pairs {input.pairs} --root {input.root} "
            "--landmarks {input.landmarks} --out {STANDINS} 2> {log}"

    rule evaluate_benchmark:
        input:
            unpack(evaluate_inputs),
        output:
            RUN / "metrics" / "{method}" / "evaluate" / "{bench}" / "{bench}.json",
        wildcard_constraints:
            bench="lfw|lfw_bin|ytf|ijbc",
        params:
            args=evaluate_args,
        threads: 1
        log:
            RUN / "logs" / "evaluate_{method}_{bench}.log",
        shell:
            "{SPHERE} evaluate {params.args} --rule all --name {wildcards.bench} --method {wildcards.method} "
            "--device cpu --out {RUN}/metrics/{wildcards.method}/evaluate/{wildcards.bench} > {log} 2>&1"

    rule evaluate_table:
        input:
            evaluate_results()[0],
        output:
            evaluate_tables(),
        params:
            methods=" ".join(evaluate_results()[1]),
        log:
            RUN / "logs" / "evaluate_table.log",
        shell:
            "{SPHERE} evaluate-table --results {input} --methods {params.methods} --out-dir {RUN}/tables > {log} 2>&1"
