"""`sphere bench gpu`: one command measures sphere on a GPU inside one short lease (README, GPUs, clusters and speed).

Parts, each with a time cap, in one process so that ratios are fair: the chip's matmul peaks, counted
FLOPs, the SphereFace-20/-64 training step (configured vs eager), the streamed store against the
resident one, a real `train()` run with the paper schedule projected from it, feature extraction,
the MegaFace 1M ladder and MTCNN. `results/bench/<device>.json` and `.md` are rewritten after every
part. Only torch, numpy, pandas and pillow are needed (pyyaml and tqdm get stand-ins when absent;
nothing imports snakemake or jsonschema). Entry point: `run_bench` in `sphere.bench.gpu.runner`.
"""
