"""The device under test: its name, slug, software versions and datasheet peaks; math-mode switches."""

from __future__ import annotations

import os
import platform
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

# Dense tensor-core TFLOP/s (no structured sparsity; NVIDIA datasheets halve the "with sparsity" figures);
# fp32 is the non-tensor-core rate. The datasheets list SXM parts at their maximum power.
PEAKS: dict[str, dict[str, float]] = {
    "H200 SXM": {"bf16": 989.4, "tf32": 494.7, "fp32": 66.9},
    "H200 NVL": {"bf16": 835.5, "tf32": 417.5, "fp32": 60.0},
    "GH200": {"bf16": 989.4, "tf32": 494.7, "fp32": 66.9},
    "H100 SXM": {"bf16": 989.4, "tf32": 494.7, "fp32": 66.9},
    "H100 NVL": {"bf16": 835.5, "tf32": 417.5, "fp32": 60.0},
    "H100 PCIe": {"bf16": 756.5, "tf32": 378.0, "fp32": 51.2},
    "A100": {"bf16": 312.0, "tf32": 156.0, "fp32": 19.5},
}


def chip(name: str) -> str | None:
    """The `PEAKS` entry of a CUDA device name ('NVIDIA H100 80GB HBM3' -> 'H100 SXM'); None if unknown."""
    n = name.lower()
    if "gh200" in n:
        return "GH200"
    if "h200" in n:
        return "H200 NVL" if "nvl" in n else "H200 SXM"
    if "h100" in n:
        return "H100 PCIe" if "pcie" in n else "H100 NVL" if "nvl" in n else "H100 SXM"
    if "a100" in n:
        return "A100"
    return None


def slug(name: str) -> str:
    """File-name form of a device name: 'NVIDIA H200' -> 'nvidia-h200'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "device"


def device_name(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def describe(device: torch.device) -> dict:
    """Name, slug, chip and peaks, torch / CUDA / cuDNN versions, memory, and the math flags in force."""
    name = device_name(device)
    info: dict[str, Any] = {
        "name": name,
        "slug": slug(name),
        "type": device.type,
        "chip": chip(name) if device.type == "cuda" else None,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
    }
    info["peaks_tflops"] = PEAKS.get(info["chip"]) if info["chip"] else None
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(
            capability=f"{props.major}.{props.minor}",
            memory_gib=round(props.total_memory / 2**30, 1),
            multiprocessors=props.multi_processor_count,
            cudnn=torch.backends.cudnn.version(),
        )
    info["defaults"] = math_flags()
    return info


def math_flags() -> dict:
    """The float32 math switches a plain `sphere train` runs with (TF32 for matmuls and for cuDNN convs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "matmul_allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
            "cudnn_allow_tf32": bool(torch.backends.cudnn.allow_tf32),
            "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        }


@contextmanager
def fp32_math(tf32: bool | None) -> Iterator[None]:
    """TF32 on (True) or off (False) for matmuls and convs inside; None leaves the defaults. Uses the
    legacy switches only, since torch refuses to mix them with the newer `fp32_precision` ones."""
    if tf32 is None:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = tf32
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def free_memory(device: torch.device) -> None:
    """Release cached blocks between parts, so one part's leftovers do not starve the next."""
    import gc

    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
