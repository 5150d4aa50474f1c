"""Box arithmetic of the MTCNN cascade (Zhang et al. 2016): NMS, box regression, square boxes, crops.

Boxes here use the convention of the authors' reference implementation: (x1, y1, x2, y2) are
1-based *inclusive* pixel indices, so a box is x2 - x1 + 1 pixels wide and covers the 0-based
pixel-edge interval [x1 - 1, x2). `sphere.align.mtcnn` converts to 0-based coordinates on output.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def nms(
    boxes: np.ndarray, scores: np.ndarray, threshold: float, mode: str = "union", groups: np.ndarray | None = None
) -> np.ndarray:
    """Greedy non-maximum suppression; returns kept indices, best score first (within each group).

    mode "union": overlap = intersection / union; "min": intersection / smaller area (the last
    O-Net step of the reference cascade). `groups` (one int per box, e.g. the image index) keeps
    boxes of different groups from suppressing each other; groups are processed one by one so the
    cost stays that of per-image NMS.
    """
    if groups is None or len(boxes) == 0:
        return _nms(boxes, scores, threshold, mode)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    kept = [part[_nms(boxes[part], scores[part], threshold, mode)] for part in np.split(order, bounds)]
    return np.concatenate(kept)


def _nms(boxes: np.ndarray, scores: np.ndarray, threshold: float, mode: str) -> np.ndarray:
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    b = boxes[:, :4].astype(np.float64)
    area = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        iw = np.maximum(0.0, np.minimum(b[i, 2], b[rest, 2]) - np.maximum(b[i, 0], b[rest, 0]) + 1)
        ih = np.maximum(0.0, np.minimum(b[i, 3], b[rest, 3]) - np.maximum(b[i, 1], b[rest, 1]) + 1)
        inter = iw * ih
        if mode == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.asarray(keep, dtype=np.int64)


def regress(boxes: np.ndarray, offsets: np.ndarray, inclusive: bool = True) -> np.ndarray:
    """Apply the nets' box regression: each corner moves by its offset times the box size.

    The reference cascade measures the size as x2 - x1 + 1 after R-Net and O-Net and as x2 - x1
    after P-Net (`inclusive=False`); kept for fidelity to the trained regressors.
    """
    extra = 1.0 if inclusive else 0.0
    w = boxes[:, 2] - boxes[:, 0] + extra
    h = boxes[:, 3] - boxes[:, 1] + extra
    return boxes[:, :4] + offsets * np.stack([w, h, w, h], axis=1)


def square(boxes: np.ndarray) -> np.ndarray:
    """Grow each box to a square of side max(w, h) around its centre (`rerec` of the paper's code)."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    x1 = boxes[:, 0] + (w - side) / 2
    y1 = boxes[:, 1] + (h - side) / 2
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1)


def integral_image(image: torch.Tensor) -> torch.Tensor:
    """Summed-area table of a 3 x H x W image as 3 x (H+1) x (W+1) float64, zero first row and column.

    float64 because sums of 255-valued pixels over large images exceed float32's exact integers.
    """
    padded = F.pad(image.to(torch.float64), (1, 0, 1, 0))
    return padded.cumsum(1).cumsum(2)


def crop_resize(integral: torch.Tensor, boxes: np.ndarray, size: int) -> torch.Tensor:
    """Cut `boxes` out of an image and area-resample each to size x size (k x 3 x size x size float32).

    `integral` is the image's `integral_image`. Each output pixel is the exact mean of the image over
    its cell of the box (fractional pixel edges included), the box's parts outside the image counting
    as 0, as in the reference cascade. The summed-area table is piecewise bilinear between its integer
    corners, so one bilinear `grid_sample` of the cell corners (clamped at the border) is exact; all
    crops of an image come from one call, stacked along the height.
    """
    k = len(boxes)
    _, h1, w1 = integral.shape
    if k == 0:
        return integral.new_zeros((0, 3, size, size), dtype=torch.float32)
    b = torch.as_tensor(boxes[:, :4], dtype=torch.float64, device=integral.device)
    bw = b[:, 2] - b[:, 0] + 1
    bh = b[:, 3] - b[:, 1] + 1
    t = torch.arange(size + 1, dtype=torch.float64, device=integral.device) / size
    xs = (b[:, 0:1] - 1) + t[None] * bw[:, None]  # k x (size+1) cell edges, 0-based pixel-edge coordinates
    ys = (b[:, 1:2] - 1) + t[None] * bh[:, None]
    gx = (2 * xs / (w1 - 1) - 1)[:, None, :].expand(k, size + 1, size + 1)
    gy = (2 * ys / (h1 - 1) - 1)[:, :, None].expand(k, size + 1, size + 1)
    grid = torch.stack([gx, gy], dim=-1).reshape(1, k * (size + 1), size + 1, 2)
    s = F.grid_sample(integral[None], grid, mode="bilinear", padding_mode="border", align_corners=True)
    s = s.view(3, k, size + 1, size + 1).permute(1, 0, 2, 3)
    sums = s[:, :, 1:, 1:] - s[:, :, :-1, 1:] - s[:, :, 1:, :-1] + s[:, :, :-1, :-1]
    return (sums / (bw * bh / size**2)[:, None, None, None]).to(torch.float32)
