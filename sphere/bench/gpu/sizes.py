"""What `sphere bench gpu` measures at full size (a GPU) and at tiny size (CPU, seconds)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Sizes:
    """Problem sizes, step counts and the timed-window caps (seconds) of every part."""

    batch: int = 512
    width: float = 1.0
    classes: int = 10572
    crop: tuple[int, int] = (112, 96)
    step_store: int = 4096  # random faces behind the step timings
    warmup: int = 5  # steps before the clock starts (compilation happens here)
    min_steps: int = 10  # always timed, whatever the cap
    chunk: int = 10  # steps between the clock's checks (one synchronisation each)
    step_caps: dict = field(
        default_factory=lambda: {"configured": 8.0, "eager_bf16_cl": 4.0, "eager_tf32": 4.0, "eager_fp32": 4.0}
    )
    gemm_n: int = 8192
    gemm_cap: float = 1.5
    streamed_cap: float = 5.0
    streamed_store: int = 16384
    train_batch: int = 512  # the released effective batch (docs/fidelity.md)
    train_steps: int = 400
    train_min_steps: int = 150
    train_warm: int = 50
    train_cap: float = 30.0
    train_store: int = 16384
    log_every: int = 20
    checkpoint_every: int = 200
    feature_batch: int = 256
    feature_cap: float = 6.0
    mf_probes: int = 3530
    mf_distractors: int = 1_000_000
    mf_dim: int = 512
    mf_cap: float = 6.0
    mtcnn_images: int = 512
    mtcnn_size: int = 250  # CASIA-WebFace photos are 250 x 250
    mtcnn_chunk: int = 64
    mtcnn_cap: float = 10.0

    def as_dict(self) -> dict:
        return asdict(self)


FULL = Sizes()

TINY = Sizes(
    batch=8,
    width=0.125,
    classes=20,
    crop=(56, 48),
    step_store=64,
    warmup=1,
    min_steps=2,
    chunk=1,
    step_caps={"configured": 0.3, "eager_bf16_cl": 0.2, "eager_tf32": 0.2, "eager_fp32": 0.2},
    gemm_n=128,
    gemm_cap=0.05,
    streamed_cap=0.2,
    streamed_store=64,
    train_batch=8,
    train_steps=12,
    train_min_steps=12,
    train_warm=4,
    train_cap=2.0,
    train_store=64,
    log_every=4,
    checkpoint_every=6,
    feature_batch=16,
    feature_cap=0.2,
    mf_probes=40,
    mf_distractors=2000,
    mf_dim=32,
    mf_cap=0.1,
    mtcnn_images=4,
    mtcnn_size=96,
    mtcnn_chunk=2,
    mtcnn_cap=0.5,
)
