"""The paper's numbers as data (PAPER.md §5); '(?)' values are approximate and flagged `confirmed=False`."""
from __future__ import annotations

# LFW / YTF accuracy (%) vs m, 64-layer CNN on CASIA-WebFace (paper Table 3).
ACCURACY_VS_M = {
    "softmax": {"lfw": 97.88, "ytf": 93.1, "confirmed": True},
    "asoftmax-m1": {"lfw": 97.90, "ytf": 93.2, "confirmed": False},
    "asoftmax-m2": {"lfw": 98.40, "ytf": 93.8, "confirmed": False},
    "asoftmax-m3": {"lfw": 99.25, "ytf": 94.4, "confirmed": False},
    "asoftmax-m4": {"lfw": 99.42, "ytf": 95.0, "confirmed": True},
}


def paper_lfw(method: str) -> float | None:
    entry = ACCURACY_VS_M.get(method)
    return entry["lfw"] if entry else None
