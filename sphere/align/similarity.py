"""5-point similarity alignment onto the paper's 112x96 template, as the released preprocessing does it.

The released crops come from MATLAB (wy1iu/sphereface, preprocess/code/face_align_demo.m):
`cp2tform(landmarks, template, 'similarity')` then `imtransform`. `cp2tform_similarity` follows its steps
(docs/fidelity.md, "Alignment"): fit the non-reflective similarity that maps the template to the image
points (least squares in image coordinates), invert it, do the same with the template mirrored, and keep
whichever maps the landmarks closer to the template. The template is in MATLAB's 1-based pixel
coordinates; landmarks here are 0-based (pixel centres at 0, 1, ...), so `template_for` shifts it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# (x, y) of left eye, right eye, nose tip, left and right mouth corner in a 96 wide x 112 high crop,
# MATLAB 1-based pixel coordinates (face_align_demo.m's coord5point).
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
# insightface's 112x112 template (python-package/insightface/utils/face_align.py, arcface_dst): the same five
# points 8 px to the right, read as 0-based pixels (tests/align/test_similarity.py checks its numbers).
INSIGHTFACE_112x112 = TEMPLATE_112x96 + [8.0, 0.0]


def template_for(height: int, width: int) -> np.ndarray:
    """The template in 0-based pixel coordinates of a height x width crop.

    1-based p becomes the continuous coordinate p - 0.5 (pixel k covers [k - 1, k]), which is scaled per
    axis to the crop and shifted back by 0.5 to a 0-based pixel centre; for 112x96 this is p - 1.
    """
    scale = np.array([width / 96.0, height / 112.0])
    return (TEMPLATE_112x96 - 0.5) * scale - 0.5


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


def invert(matrix: np.ndarray) -> np.ndarray:
    return np.linalg.inv(np.vstack([matrix, [0.0, 0.0, 1.0]]))[:2]


def cp2tform_similarity(landmarks: np.ndarray, template: np.ndarray) -> np.ndarray:
    """The image -> crop 2x3 matrix that MATLAB's `cp2tform(landmarks, template, 'similarity')` returns.

    Both candidates are fitted crop -> image (the error is minimised in image coordinates) and inverted:
    the plain similarity, and the reflected one (template x mirrored for the fit, the mirror undone after).
    The one whose forward map puts the landmarks nearer the template (norm of the residuals) is kept,
    the plain one on a tie.
    """
    landmarks, template = np.asarray(landmarks, np.float64), np.asarray(template, np.float64)
    mirror = np.diag([-1.0, 1.0])
    plain = invert(similarity_transform(template, landmarks))
    mirrored = invert(similarity_transform(template @ mirror, landmarks))
    reflected = np.hstack([mirror @ mirrored[:, :2], (mirror @ mirrored[:, 2])[:, None]])
    residual = [np.linalg.norm(apply_transform(m, landmarks) - template) for m in (plain, reflected)]
    return plain if residual[0] <= residual[1] else reflected


def warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Warp an HxWx3 uint8 image by `matrix` (0-based source pixel -> 0-based crop pixel) into a crop of
    size (height, width); bilinear, black outside.

    PIL maps output pixels back to input in continuous coordinates (pixel k's centre at k + 0.5), so the
    matrix is moved to that convention (t + 0.5 - A (0.5, 0.5)) and inverted.
    """
    height, width = size
    continuous = np.hstack([matrix[:, :2], (matrix[:, 2] + 0.5 - matrix[:, :2] @ [0.5, 0.5])[:, None]])
    inverse = invert(continuous).reshape(-1)
    crop = Image.fromarray(image).transform(
        (width, height), Image.Transform.AFFINE, tuple(inverse), resample=Image.Resampling.BILINEAR
    )
    return np.asarray(crop)


def align_face(image: np.ndarray, landmarks: np.ndarray, size: tuple[int, int] = (112, 96)) -> np.ndarray:
    """Crop a face of `size` whose 5 landmarks land on the (scaled) template, as face_align_demo.m does."""
    return warp(image, cp2tform_similarity(landmarks, template_for(*size)), size)
