"""MTCNN face detector with 5 landmarks (Zhang et al., IEEE SPL 2016), as used by the paper (docs/paper.md §3, paper
Sec. 4.1).

The cascade of the paper: an image pyramid (smallest face `min_face`, scale step `factor`), P-Net
proposals above threshold 1 merged by NMS, box regression and squaring; R-Net re-scores 24x24 crops
(threshold 2, NMS, regression, squaring); O-Net scores 48x48 crops (threshold 3) and gives 5
landmarks; a final regression and NMS (overlap over the smaller box) ends it. Pixels enter the nets
as (x - 127.5) / 128. Images are processed in chunks: P-Net runs on all same-sized images of a chunk
at once, R-Net and O-Net on the crops of the whole chunk at once, on `device`.

Output coordinates are 0-based with pixel centres on integers ((0, 0) is the centre of the top-left
pixel); they equal the reference MATLAB implementation's 1-based numbers minus 1. The SphereFace
template of docs/paper.md §3 was written in MATLAB's 1-based coordinates: subtract 1 from it (or add 1
to these landmarks) to reproduce the released crops to the pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from sphere.align.mtcnn_boxes import crop_resize, integral_image, nms, regress, square
from sphere.align.mtcnn_nets import load_nets


@dataclass
class Detection:
    """One face: box (x1, y1, x2, y2), O-Net score, landmarks (5, 2) as (x, y) for left eye, right
    eye, nose tip, left mouth corner, right mouth corner (left/right as seen in the image)."""

    box: np.ndarray
    score: float
    landmarks: np.ndarray


def pyramid_scales(height: int, width: int, min_face: int, factor: float) -> list[float]:
    """Scales at which a 12-pixel P-Net window sees faces from `min_face` pixels up to the image size."""
    scale = 12.0 / min_face
    side = min(height, width) * scale
    scales = []
    while side >= 12:
        scales.append(scale)
        scale *= factor
        side *= factor
    return scales


def subject_priority(dets: list[Detection], height: int, width: int) -> np.ndarray:
    """Priority of each face as the image's subject: score x relative size x centrality.

    relative size = sqrt(box area) / min(height, width), capped at 1; centrality = 1 - d, d the
    distance from the box centre to the image centre over half the image diagonal, floored at 1e-3.
    A large, central, confident face wins over a small face at the edge (LFW/CASIA images are
    centred on their subject).
    """
    boxes = np.array([d.box for d in dets], dtype=np.float64).reshape(-1, 4)
    scores = np.array([d.score for d in dets], dtype=np.float64)
    size = np.sqrt((boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)) / min(height, width)
    centre = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
    d = np.linalg.norm(centre - [(width - 1) / 2, (height - 1) / 2], axis=1) / (0.5 * math.hypot(height, width))
    return scores * np.minimum(size, 1.0) * np.maximum(1.0 - d, 1e-3)


def fallback_landmarks(h: int, w: int, mean_landmarks_normalised: np.ndarray) -> np.ndarray:
    """Landmarks for an image where detection failed: assume the face fills the centred square crop.

    The central square of side min(h, w) is the unit square of `mean_landmarks_normalised` (5, 2),
    whose (u, v) are fractions of the side measured from its top-left edge (e.g. the mean over the
    detected images of the same set, from `normalise_landmarks`). Returns (5, 2) float32 in the
    0-based pixel-centre coordinates of `Detection.landmarks`.
    """
    mean = np.asarray(mean_landmarks_normalised, dtype=np.float64)
    if mean.shape != (5, 2):
        raise ValueError(f"mean landmarks must have shape (5, 2), got {mean.shape}")
    side = min(h, w)
    origin = np.array([(w - side) / 2, (h - side) / 2])
    return (origin + mean * side - 0.5).astype(np.float32)


def normalise_landmarks(landmarks: np.ndarray, h: int, w: int) -> np.ndarray:
    """Inverse of `fallback_landmarks`: image landmarks to fractions of the centred square crop."""
    side = min(h, w)
    origin = np.array([(w - side) / 2, (h - side) / 2])
    return ((np.asarray(landmarks, dtype=np.float64) + 0.5 - origin) / side).astype(np.float32)


def _runs(owner: np.ndarray, limit: int):
    """(start, length) of runs of equal values in sorted `owner`, each at most `limit` long."""
    start = 0
    while start < len(owner):
        end = start + int(np.searchsorted(owner[start:], owner[start], side="right"))
        for j in range(start, end, limit):
            yield j, min(limit, end - j)
        start = end


class MTCNN:
    """Three-stage MTCNN detector loading the facenet-pytorch 2.6.0 weights (see `mtcnn_weights`)."""

    def __init__(
        self,
        weights_dir: Path,
        device: str | torch.device = "cpu",
        min_face: int = 20,
        thresholds=(0.6, 0.7, 0.7),
        factor: float = 0.709,
        batch_size: int = 32,
    ) -> None:
        if min_face < 12 or not 0 < factor < 1 or len(thresholds) != 3:
            raise ValueError(
                f"bad MTCNN settings: min_face={min_face} (>= 12), factor={factor} (in (0, 1)), "
                f"thresholds={thresholds} (three values)"
            )
        self.device = torch.device(device)
        self.pnet, self.rnet, self.onet = load_nets(Path(weights_dir), self.device)
        self.min_face, self.thresholds, self.factor = min_face, tuple(thresholds), factor
        self.batch_size = batch_size
        self.max_crops = 512  # crops per grid_sample/net call: bounds memory on large in-the-wild images

    def detect(self, images: list[np.ndarray]) -> list[Detection | None]:
        """The subject's face in each H x W x 3 uint8 RGB image (`subject_priority`), None if no face."""
        out: list[Detection | None] = []
        for img, dets in zip(images, self.detect_all(images)):
            if not dets:
                out.append(None)
                continue
            out.append(dets[int(np.argmax(subject_priority(dets, img.shape[0], img.shape[1])))])
        return out

    def detect_all(self, images: list[np.ndarray]) -> list[list[Detection]]:
        """Every face found in each image, highest score first."""
        for i, img in enumerate(images):
            if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
                raise ValueError(f"image {i}: expected H x W x 3 uint8 RGB, got {img.shape} {img.dtype}")
        result: list[list[Detection]] = []
        with torch.inference_mode():
            for start in range(0, len(images), self.batch_size):
                result.extend(self._detect_chunk(images[start : start + self.batch_size]))
        return result

    def _detect_chunk(self, images: list[np.ndarray]) -> list[list[Detection]]:
        tensors = [torch.tensor(im, device=self.device).permute(2, 0, 1).float() for im in images]
        boxes, scores, owner = self._stage1(tensors)
        integrals = {i: integral_image(tensors[i]) for i in np.unique(owner)}
        boxes, scores, owner, _ = self._refine(integrals, boxes, owner, self.rnet, 24, self.thresholds[1])
        boxes, scores, owner, marks = self._refine(integrals, boxes, owner, self.onet, 48, self.thresholds[2])
        keep = nms(boxes, scores, 0.7, "min", owner)
        per_image: list[list[Detection]] = [[] for _ in images]
        for i in keep:  # already best score first
            # -1: reference 1-based coordinates to 0-based pixel centres
            per_image[owner[i]].append(
                Detection(
                    box=(boxes[i] - 1).astype(np.float32),
                    score=float(scores[i]),
                    landmarks=(marks[i] - 1).astype(np.float32),
                )
            )
        return per_image

    def _stage1(self, tensors: list[torch.Tensor]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P-Net over the pyramid of every image; returns squared candidate boxes, scores, image index."""
        by_shape: dict[tuple[int, int], list[int]] = {}
        for i, t in enumerate(tensors):
            by_shape.setdefault((int(t.shape[1]), int(t.shape[2])), []).append(i)
        all_boxes, all_scores, all_owner = [], [], []
        for (h, w), idx in by_shape.items():
            batch = torch.stack([tensors[i] for i in idx])
            for scale in pyramid_scales(h, w, self.min_face, self.factor):
                scaled = F.interpolate(batch, size=(math.ceil(h * scale), math.ceil(w * scale)), mode="area")
                prob, reg = self.pnet((scaled - 127.5) / 128)
                n, yy, xx = (prob >= self.thresholds[0]).nonzero(as_tuple=True)
                if len(n) == 0:
                    continue
                score = prob[n, yy, xx].cpu().numpy()
                offsets = reg[n, :, yy, xx].cpu().numpy()
                gx, gy = xx.cpu().numpy() * 2.0, yy.cpu().numpy() * 2.0  # P-Net stride 2, window 12
                boxes = np.stack([(gx + 1) / scale, (gy + 1) / scale, (gx + 12) / scale, (gy + 12) / scale], 1)
                owner = np.asarray(idx)[n.cpu().numpy()]
                keep = nms(boxes, score, 0.5, "union", owner)
                all_boxes.append(np.concatenate([boxes[keep], offsets[keep]], 1))
                all_scores.append(score[keep])
                all_owner.append(owner[keep])
        if not all_boxes:
            return np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64)
        cand, scores, owner = np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_owner)
        keep = nms(cand, scores, 0.7, "union", owner)
        cand, scores, owner = cand[keep], scores[keep], owner[keep]
        return square(regress(cand[:, :4], cand[:, 4:], inclusive=False)), scores, owner

    def _run_net(self, net, crops) -> list[np.ndarray]:
        """Run R-Net/O-Net over an iterable of crop tensors (k x 3 x s x s), up to 4 x max_crops at once."""
        outs: list[np.ndarray] = []
        batch: list[torch.Tensor] = []
        count = 0

        def flush():
            outs.append([o.cpu().numpy() for o in net((torch.cat(batch) - 127.5) / 128)])

        for c in crops:
            batch.append(c)
            count += len(c)
            if count >= 4 * self.max_crops:
                flush()
                batch, count = [], 0
        if batch:
            flush()
        return [np.concatenate(parts) for parts in zip(*outs)]

    def _refine(self, integrals, boxes, owner, net, size, threshold):
        """R-Net (size 24) or O-Net (size 48) on crops of all images; keeps boxes over `threshold`.

        R-Net: NMS, regression and squaring follow. O-Net: landmarks from the unregressed box, then
        regression (the caller does the final NMS). Returns boxes, scores, owner, landmarks or None.
        """
        if len(boxes) == 0:
            return boxes, np.zeros(0), owner, np.zeros((0, 5, 2))
        boxes = np.trunc(boxes)  # the reference cascade crops on integer pixel boxes
        order = np.argsort(owner, kind="stable")
        boxes, owner = boxes[order], owner[order]
        outs = self._run_net(
            net, (crop_resize(integrals[owner[j]], boxes[j : j + n], size) for j, n in _runs(owner, self.max_crops))
        )
        keep = outs[0] > threshold
        boxes, owner, scores = boxes[keep], owner[keep], outs[0][keep]
        offsets = outs[1][keep]
        if size == 24:
            k = nms(boxes, scores, 0.7, "union", owner)
            return square(regress(boxes[k], offsets[k])), scores[k], owner[k], None
        pts = outs[2][keep]
        w = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
        h = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
        marks = np.stack([boxes[:, 0:1] + w * pts[:, :5] - 1, boxes[:, 1:2] + h * pts[:, 5:] - 1], axis=2)
        return regress(boxes, offsets), scores, owner, marks
