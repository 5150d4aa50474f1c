"""Least-squares similarity transform of 5 landmarks onto the paper's 112x96 template (PAPER.md §3)."""
from __future__ import annotations

import numpy as np
from PIL import Image

# (x, y) of left eye, right eye, nose tip, left and right mouth corner in a 96 wide x 112 high crop.
TEMPLATE_112x96 = np.array(
    [
        [30.2946, 51.6963],
        [65.5318, 51.5014],
        [48.0252, 71.7366],
        [33.5493, 92.3655],
        [62.7299, 92.2041],
    ],
    np.float64,
)


def template_for(height: int, width: int) -> np.ndarray:
    """The template scaled to another crop size (112x96 scaled per axis; 56x48 is exactly half)."""
    return TEMPLATE_112x96 * np.array([width / 96.0, height / 112.0])


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 matrix [[a, -b, tx], [b, a, ty]] minimising sum ||M src_i - dst_i||^2 (closed form).

    Solving the linear least-squares problem in (a, b, tx, ty) directly gives the optimal rotation,
    uniform scale and translation without reflection.
    """
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or len(src) < 2:
        raise ValueError(f"need two matching (n>=2, 2) point arrays, got {src.shape} and {dst.shape}")
    x, y = src[:, 0], src[:, 1]
    ones, zeros = np.ones_like(x), np.zeros_like(x)
    rows = np.concatenate([np.stack([x, -y, ones, zeros], 1), np.stack([y, x, zeros, ones], 1)])
    rhs = np.concatenate([dst[:, 0], dst[:, 1]])
    a, b, tx, ty = np.linalg.lstsq(rows, rhs, rcond=None)[0]
    return np.array([[a, -b, tx], [b, a, ty]])


def apply_transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return np.asarray(points, np.float64) @ matrix[:, :2].T + matrix[:, 2]


def warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Warp an HxWx3 uint8 image by `matrix` (source -> crop) into a crop of size (height, width).

    PIL maps output pixels back to input, so it is given the inverse; bilinear, black outside.
    """
    height, width = size
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(full)[:2].reshape(-1)
    crop = Image.fromarray(image).transform(
        (width, height), Image.Transform.AFFINE, tuple(inverse), resample=Image.Resampling.BILINEAR
    )
    return np.asarray(crop)


def align_face(image: np.ndarray, landmarks: np.ndarray, size: tuple[int, int] = (112, 96)) -> np.ndarray:
    """Crop a face of `size` whose 5 landmarks land on the (scaled) template."""
    return warp(image, similarity_transform(landmarks, template_for(*size)), size)
