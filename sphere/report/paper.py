"""The paper's numbers as data (docs/paper.md §4: paper Tables 3-5, Figs. 5-6); '(?)' values are approximate and
flagged `confirmed=False`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphere.config.sections import MethodConfig

# LFW / YTF accuracy (%) vs m, 64-layer CNN on CASIA-WebFace (paper Table 3).
ACCURACY_VS_M = {
    "softmax": {"lfw": 97.88, "ytf": 93.1, "confirmed": True},
    "asoftmax-m1": {"lfw": 97.90, "ytf": 93.2, "confirmed": False},
    "asoftmax-m2": {"lfw": 98.40, "ytf": 93.8, "confirmed": False},
    "asoftmax-m3": {"lfw": 99.25, "ytf": 94.4, "confirmed": False},
    "asoftmax-m4": {"lfw": 99.42, "ytf": 95.0, "confirmed": True},
}


def paper_confirmed(method: str) -> bool | None:
    """False where docs/paper.md marks the value (?): read off a figure or not confirmed from a primary source."""
    entry = ACCURACY_VS_M.get(method)
    return bool(entry["confirmed"]) if entry else None


def paper_lfw(method: str) -> float | None:
    entry = ACCURACY_VS_M.get(method)
    return entry["lfw"] if entry else None


def paper_ytf(method: str) -> float | None:
    entry = ACCURACY_VS_M.get(method)
    return entry["ytf"] if entry else LOSS_COMPARISON_YTF.get(method)


# MegaFace Challenge 1, small protocol, FaceScrub probes, 1M distractors (%, paper's loss-comparison table):
# rank-1 identification and TAR at FAR = 1e-6. Keyed by the loss head's method name in our configs.
MEGAFACE_1M = {
    "softmax": {"rank1": 54.855, "tar": 65.925, "paper_method": "softmax"},
    "contrastive": {"rank1": 65.219, "tar": 78.865, "paper_method": "softmax + contrastive"},
    "triplet": {"rank1": 64.797, "tar": 78.322, "paper_method": "triplet"},
    "lsoftmax": {"rank1": 67.128, "tar": 80.423, "paper_method": "L-Softmax"},
    "center": {"rank1": 65.494, "tar": 80.146, "paper_method": "softmax + center"},
    "asoftmax-m4": {"rank1": 72.729, "tar": 85.561, "paper_method": "SphereFace (m=4)"},
}


def paper_megaface(method: str, spec: MethodConfig | None = None) -> dict | None:
    """The paper's 1M-distractor MegaFace numbers for a method: by its name, else by its loss head
    (A-Softmax only at m = 4, the paper's SphereFace)."""
    if method in MEGAFACE_1M:
        return MEGAFACE_1M[method]
    if spec is None:
        return None
    if spec.loss == "asoftmax":
        return MEGAFACE_1M["asoftmax-m4"] if spec.param("m") == 4 else None
    return MEGAFACE_1M.get(spec.loss)


# LFW accuracy (%) of the paper's loss comparison (Table 4), 64-layer CNN on CASIA-WebFace.
LOSS_COMPARISON_LFW = {
    "softmax": 97.88,
    "contrastive": 98.78,
    "triplet": 98.70,
    "lsoftmax": 99.10,
    "center": 99.05,
    "asoftmax-m4": 99.42,
}


def paper_loss_lfw(method: str) -> float | None:
    return LOSS_COMPARISON_LFW.get(method)


# YTF accuracy (%) of the same comparison.
LOSS_COMPARISON_YTF = {"contrastive": 93.5, "triplet": 93.4, "lsoftmax": 94.0, "center": 94.4}
