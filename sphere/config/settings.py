"""Training settings: one run's resolved recipe (torch-free, so the config can be read without torch)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TrainConfig:
    model: str = "sphereface20"
    width: float = 1.0
    feature_dim: int = 512
    loss: str = "asoftmax"
    loss_params: dict = field(default_factory=dict)
    batch_size: int = 256  # global: split across DDP processes
    iterations: int = 28000
    lr: float = 0.1
    lr_steps: list[int] = field(default_factory=lambda: [16000, 24000])
    momentum: float = 0.9
    weight_decay: float = 5e-4
    images_per_identity: int = 4  # K of the P x K batches that pair and triplet losses need
    seed: int = 0
    log_every: int = 20
    checkpoint_every: int = 200
    device: str = "auto"
    threads: int = 0  # 0 keeps torch's default
    precision: str = "auto"  # auto = bf16 on CUDA, fp32 elsewhere
    compile: str = "auto"  # auto = on for CUDA; "on" / "off"
    channels_last: str = "auto"  # auto = on for CUDA
    init: str = "caffe"  # caffe (released xavier filler) | pytorch (xavier_uniform_)
    param_multipliers: str = "released"  # released (biases 2x lr, no decay) | none
