"""Training settings: one run's resolved recipe, and the `train:` section of the run config (its defaults,
bounds and descriptions, from which the schema is generated). Torch-free and standard library only, so
the config can be read without torch, pyyaml or jsonschema (`sphere bench gpu`).

The released recipe these defaults follow (SGD, lr 0.1 dropped at 16K and 24K of 28K steps, batch 256,
the caffe xavier filler, biases at 2x lr without decay) is docs/fidelity.md; the networks are paper Table 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from sphere.config.fields import setting

MODELS = ("sphereface4", "sphereface10", "sphereface20", "sphereface36", "sphereface64", "sphereface64_released")
SWITCH = ("auto", "on", "off", True, False)  # YAML 1.1 reads a bare on / off as a boolean


@dataclass
class TrainConfig:
    model: str = setting(
        "sphereface20",
        "SphereFace-N of paper Table 2; sphereface64_released has the released prototxt's 3,7,16,3 units",
        choices=MODELS,
    )
    width: float = setting(1.0, "channel width multiplier", gt=0)
    feature_dim: int = setting(512, "FC1 size", ge=2)
    loss: str = setting("asoftmax", "the loss head (set from methods.<m>.loss)", yaml=False)
    loss_params: dict = setting({}, "the head's keyword parameters (methods.<m>.params over annealing)", yaml=False)
    batch_size: int = setting(256, "images per step, global: split across DDP processes", ge=2)
    iterations: int = setting(28000, "training steps", ge=1)
    lr: float = setting(0.1, "base learning rate of SGD", gt=0)
    lr_steps: list[int] = setting(
        [16000, 24000],
        "steps where the learning rate drops 10x (strictly increasing, below iterations)",
        each={"ge": 1},
    )
    momentum: float = setting(0.9, "SGD momentum", ge=0)
    weight_decay: float = setting(5e-4, "L2 weight decay", ge=0)
    images_per_identity: int = setting(4, "K of the P x K batches that pair and triplet losses need", ge=2)
    seed: int = setting(0, "initialisation and batch order (one of the run's seeds sets it)")
    log_every: int = setting(20, "steps between log lines", ge=1)
    checkpoint_every: int = setting(200, "steps between checkpoints", ge=1)
    device: str = setting("auto", "auto = CUDA when present, else CPU; cpu, cuda, cuda:N or mps")
    threads: int = setting(0, "CPU threads per training job (0 = torch's default)", ge=0)
    precision: str = setting(
        "auto",
        "auto = bf16 autocast on CUDA, fp32 elsewhere (margin math always float32)",
        choices=("auto", "bf16", "fp32"),
    )
    compile: str | bool = setting("auto", "torch.compile of the network; auto = on for CUDA", choices=SWITCH)
    channels_last: str | bool = setting("auto", "channels_last memory format; auto = on for CUDA", choices=SWITCH)
    init: str = setting(
        "caffe",
        "xavier filler: caffe = the released U(+-sqrt(3/fan_in)); pytorch = "
        "xavier_uniform_ (a departure, docs/fidelity.md)",
        choices=("caffe", "pytorch"),
    )
    param_multipliers: str = setting(
        "released",
        "released = biases at 2x lr without weight decay, as the released "
        "prototxt; none = every parameter at lr with decay",
        choices=("released", "none"),
    )
