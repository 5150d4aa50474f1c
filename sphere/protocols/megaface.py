"""MegaFace Challenge 1 metrics computed in the library, chunked over distractors (docs/formats.md).

All features are L2-normalised here, and scores are cosines. For unit vectors
||a - b||^2 = 2 - 2 cos(a, b), so ranking by cosine (descending) is ranking by the devkit's L2
distance (ascending), and a cosine threshold t is the L2 threshold sqrt(2 - 2t).

- Identification (CMC), the devkit protocol: for each probe image i used as the query and each
  other image j of the same identity placed in the gallery with the distractors, the rank of j is
  1 + #{distractors d with s(i, d) >= s(i, j)}; rank-1 means the mate scores strictly higher than
  every distractor. CMC(k) = fraction of (i, j) with rank <= k, k = 1..max_rank.
- Verification: genuine pairs are probe-probe pairs of the same identity (unordered), impostor
  pairs are all probe-distractor pairs. TAR at FAR f: accept `score > t`, with t the (n+1)-th
  largest impostor score, n = floor(f * #impostors) (so at most n false accepts, the largest TAR
  allowed). Exact, from the k largest impostor scores kept while scanning. When f * #impostors < 1
  (few distractors) the requested FAR is below the resolution 1 / #impostors: the result then says
  `resolved: false` and gives the TAR at zero false accepts with its achieved FAR (0).
- ROC curve: impostor scores are histogrammed on a fixed grid of thresholds over [-1, 1]; the
  curve's points (accept `score >= threshold`) are at those grid thresholds.
- Distractor ladder: size s uses the first s distractors (nested sets); one pass serves all sizes.

Memory stays bounded: one probes x chunk score block at a time, a per-probe running top-`max_rank`
of distractor scores, the k largest impostor scores and a histogram.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from sphere.errors import InputError

MAX_KEPT = 1 << 26  # impostor scores kept for exact TAR@FAR (256 MB of float32)
LADDER = (10, 100, 1_000, 10_000, 100_000, 1_000_000)
HIST_ROWS_ELEMENTS = 1 << 24  # elements binned per step (bounds the int32 index buffer)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class _TopScores:
    """The k largest of all values added (ties kept), with a running cut-off to skip most values."""

    def __init__(self, k: int):
        self.parts: list[torch.Tensor] = []
        self.k, self.count, self.cut = k, 0, -math.inf

    def add(self, scores: torch.Tensor, row_max: torch.Tensor | None = None) -> None:
        """Offer a block of scores; `row_max` (its per-row maxima) lets rows below the cut-off be skipped."""
        flat = scores.reshape(-1)
        if self.cut > -math.inf:
            # a value <= the current k-th largest can no longer be in the top k
            if row_max is not None:
                scores = scores[row_max > self.cut]
            flat = scores[scores > self.cut]
        if flat.numel() > self.k:
            flat = flat.topk(self.k, sorted=False).values
        self.parts.append(flat.clone())
        self.count += flat.numel()
        if self.count >= self.k:
            # as soon as k values are in, the k-th largest is a cut-off for the next block; merging costs a
            # topk over at most 2k kept values, while an unfiltered block costs one over probes x chunk
            self.values()

    def values(self) -> torch.Tensor:
        """The kept values, largest first (at most k)."""
        kept = torch.cat(self.parts) if self.parts else torch.empty(0)
        kept = kept.topk(min(self.k, kept.numel())).values
        self.parts, self.count = [kept], kept.numel()
        if kept.numel() >= self.k:
            self.cut = float(kept[-1])
        return kept


def _histogram(scores: torch.Tensor, bins: int) -> torch.Tensor:
    """Counts (int64) of scores in `bins` equal bins over [-1, 1] (1.0 falls in the last bin)."""
    counts = torch.zeros(bins, dtype=torch.int64, device=scores.device)
    rows = max(1, HIST_ROWS_ELEMENTS // scores.shape[1])
    for r in range(0, len(scores), rows):
        index = ((scores[r : r + rows] + 1.0) * (bins / 2)).to(torch.int32).clamp_(0, bins - 1)
        counts += torch.bincount(index.reshape(-1), minlength=bins)
    return counts


def _chunks(distractors, boundaries: Sequence[int], chunk: int, device) -> Iterator[tuple[int, torch.Tensor]]:
    """(end, normalised distractor block) with blocks never crossing a ladder boundary."""
    start = 0
    for boundary in boundaries:
        while start < boundary:
            end = min(start + chunk, boundary)
            block = distractors[start:end]
            block = block if isinstance(block, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(block))
            yield end, F.normalize(block.to(device, torch.float32, non_blocking=True), dim=1)
            start = end


def _identification(top: torch.Tensor, query: torch.Tensor, mate: torch.Tensor, mate_scores: torch.Tensor) -> dict:
    ahead = (top[query] >= mate_scores[:, None]).sum(dim=1)  # distractors ranked at or above the mate (capped)
    cmc = [(ahead < k).double().mean().item() if len(query) else float("nan") for k in range(1, top.shape[1] + 1)]
    return {"rank1": cmc[0], "cmc": cmc, "n_queries": int(len(query))}


def _verification(top_imp: torch.Tensor, genuine: np.ndarray, n_imp: int, fars: Sequence[float]) -> list[dict]:
    top = top_imp.double().cpu().numpy()
    out: list[dict] = []
    for far in fars:
        allowed = int(math.floor(far * n_imp + 1e-6))
        if allowed >= n_imp:
            threshold = -math.inf
        else:
            threshold = float(top[allowed])  # the (allowed+1)-th largest impostor score
        false_accepts = int(np.sum(top > threshold)) if allowed < n_imp else n_imp
        out.append(
            {
                "far_requested": far,
                "far_achieved": false_accepts / n_imp,
                "far_resolution": 1.0 / n_imp,
                "resolved": allowed >= 1,
                "threshold": threshold,
                "tar": float(np.mean(genuine > threshold)) if len(genuine) else float("nan"),
                "false_accepts": false_accepts,
            }
        )
        if allowed < 1:
            out[-1]["note"] = (
                f"requested FAR {far:g} is below the resolution 1/{n_imp} of this distractor "
                "set: TAR is given at zero false accepts"
            )
    return out


def _roc(hist: torch.Tensor, genuine: np.ndarray, n_imp: int, bins: int) -> dict:
    thresholds = np.linspace(-1.0, 1.0, bins + 1)[:-1]
    imp_at_or_above = np.cumsum(hist.cpu().numpy()[::-1])[::-1]
    gen_sorted = np.sort(genuine)
    gen_at_or_above = len(gen_sorted) - np.searchsorted(gen_sorted, thresholds, side="left")
    return {
        "threshold": thresholds.tolist(),
        "far": (imp_at_or_above / n_imp).tolist(),
        "tar": (gen_at_or_above / max(len(gen_sorted), 1)).tolist(),
    }


@torch.no_grad()
def megaface_ladder(
    probe_features: np.ndarray | torch.Tensor,
    probe_ids: Sequence,
    distractors: np.ndarray | torch.Tensor,
    sizes: Sequence[int] | None = None,
    *,
    device: str | torch.device | None = None,
    chunk: int = 65536,
    max_rank: int = 10,
    fars: Sequence[float] = (1e-6,),
    roc_bins: int = 2000,
) -> list[dict]:
    """MegaFace Challenge 1 rank-1/CMC, TAR@FAR and ROC at each distractor size (first `size` distractors).

    `distractors` may be a memory-mapped array; blocks of `chunk` rows are moved to `device` (default:
    CUDA when present) one at a time. `roc_bins=0` skips the ROC histogram. Returns one dict per size.
    """
    device = torch.device(device) if device is not None else default_device()
    n_dist = len(distractors)
    sizes = sorted(set(int(s) for s in (sizes if sizes is not None else [n_dist])))
    if not sizes or sizes[0] < 1 or sizes[-1] > n_dist:
        raise InputError(f"distractor sizes {sizes} must lie in 1..{n_dist}")
    ids = np.asarray([str(i) for i in probe_ids])
    probes = torch.as_tensor(
        np.asarray(probe_features, np.float32) if not isinstance(probe_features, torch.Tensor) else probe_features
    ).to(device, torch.float32)
    if probes.ndim != 2 or len(probes) != len(ids):
        raise InputError(f"probe features {tuple(probes.shape)} do not match {len(ids)} probe ids")
    n_probe = len(probes)
    precision = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")  # exact float32 scores, no TF32
    try:
        probes = F.normalize(probes, dim=1)
        pp = probes @ probes.T
        same = torch.as_tensor(ids[:, None] == ids[None, :], device=device)
        same.fill_diagonal_(False)
        query, mate = same.nonzero(as_tuple=True)
        mate_scores = pp[query, mate]
        genuine = pp[torch.triu(same, diagonal=1)].double().cpu().numpy()
        counts = np.unique(ids, return_counts=True)[1]

        k_max = max(int(math.floor(f * n_probe * sizes[-1] + 1e-6)) + 1 for f in fars) if fars else 1
        if k_max > MAX_KEPT:
            raise ValueError(
                f"TAR at FAR {max(fars):g} needs the {k_max} largest impostor scores (limit "
                f"{MAX_KEPT}); read larger FARs off the ROC curve instead"
            )
        top_dist = torch.full((n_probe, max_rank), -math.inf, device=device)
        top_imp = _TopScores(k_max)
        hist = torch.zeros(roc_bins, dtype=torch.int64, device=device)
        results = []
        for end, block in _chunks(distractors, sizes, chunk, device):
            scores = (probes @ block.T).clamp_(-1.0, 1.0)
            block_top = scores.topk(min(max_rank, scores.shape[1]), dim=1).values
            top_dist = torch.cat([top_dist, block_top], dim=1).topk(max_rank, dim=1).values
            top_imp.add(scores, block_top[:, 0])
            if roc_bins:
                hist += _histogram(scores, roc_bins)
            if end in sizes:
                n_imp = n_probe * end
                result: dict = {
                    "distractors": end,
                    "identification": _identification(top_dist, query, mate, mate_scores),
                    "verification": {
                        "n_genuine": int(len(genuine)),
                        "n_impostor": n_imp,
                        "tar_at_far": _verification(top_imp.values(), genuine, n_imp, fars),
                    },
                }
                result["identification"].update(
                    n_probes=n_probe, n_identities=int(len(counts)), identities_without_mate=int(np.sum(counts < 2))
                )
                if roc_bins:
                    result["verification"]["roc"] = _roc(hist, genuine, n_imp, roc_bins)
                results.append(result)
    finally:
        torch.set_float32_matmul_precision(precision)
    return results


def megaface_metrics(probe_features, probe_ids, distractors, **kwargs) -> dict:
    """The metrics for one distractor set (all of `distractors`), e.g. one devkit list's features."""
    return megaface_ladder(probe_features, probe_ids, distractors, [len(distractors)], **kwargs)[0]


def benchmark_megaface(
    n_probe: int = 3530,
    n_distractors: int = 1_000_000,
    dim: int = 512,
    device: str | torch.device | None = None,
    *,
    sizes: Sequence[int] | None = None,
    chunk: int = 65536,
    n_identities: int = 80,
    seed: int = 0,
    roc_bins: int = 2000,
) -> float:
    """Seconds for `megaface_ladder` on random features (default: the FaceScrub x 1M devkit scale).

    The random distractors (n_distractors x dim float32, 2 GB at the default) are made on `device`
    before the clock starts; sizes default to the devkit ladder up to n_distractors.
    """
    device = torch.device(device) if device is not None else default_device()
    generator = torch.Generator(device=device).manual_seed(seed)
    probes = torch.randn(n_probe, dim, generator=generator, device=device)
    distractors = torch.randn(n_distractors, dim, generator=generator, device=device)
    ids = [i % n_identities for i in range(n_probe)]
    sizes = sizes if sizes is not None else [s for s in LADDER if s <= n_distractors] or [n_distractors]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    megaface_ladder(probes, ids, distractors, sizes, device=device, chunk=chunk, roc_bins=roc_bins)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start
