# The toy experiment (paper Fig. 5): the 6 training identities with the most images, FC1 of dimension 3.


rule toy_store:
    input:
        RUN / "stores" / "train" / "index.csv",
    output:
        RUN / "stores" / "toy" / "images.npy",
        RUN / "stores" / "toy" / "index.csv",
    log:
        RUN / "logs" / "toy_store.log",
    shell:
        "{SPHERE} subset-store --store {RUN}/stores/train --top 6 --out {RUN}/stores/toy 2> {log}"


rule toy_features:
    input:
        model=RUN / "models" / "{method}" / "seed{seed}" / "model.pt",
        store=RUN / "stores" / "toy" / "index.csv",
    output:
        RUN / "features" / "toy" / "{method}" / "seed{seed}.npy",
    log:
        RUN / "logs" / "toy_features_{method}_seed{seed}.log",
    shell:
        "{SPHERE} features --model {input.model} --store {RUN}/stores/toy --out {output} --threads 1 2> {log}"
