"""IJB-B / IJB-C template protocols (docs/paper.md §6, docs/formats.md), read as insightface reads them:
`recognition/arcface_torch/eval_ijbc.py` (commit b0127a9) for 1:1 and `recognition/_evaluation_/ijb/ijb_evals.py`
(`evaluation_1N`, commit 33cb768) for 1:N.

Image feature: f(face) (+ f(flip) with `flip`), L2-normalised unless `norm_score` (eval_ijbc.py's "N1"
mode keeps the raw norm), times the detector score with `detector_score` ("D1"). Media feature: the mean
over the media's images. Template feature: the sum over its media, L2-normalised. Score: cosine. 1:N uses
the same template features (detector weights included). Everything is vectorised (segment sums over
sorted groups), so an IJB-C-sized set (23K templates, 15.7M pairs) scores in seconds to a minute on a CPU.

Two readings of the rates (`READINGS`), both reported; `insightface` is the default:
- 1:1 `insightface`: the ROC as `sklearn.metrics.roc_curve` builds it (collinear points dropped), then the
  point whose FPR is nearest the target, the largest TAR where several points tie (the ROC is flipped
  before `argmin`); the chosen point's FPR may lie above the target. `conservative`: the largest TAR
  whose FPR <= target.
- 1:N `insightface`: threshold = the non-mated probes' top scores, sorted high to low, at index
  max(int(n FPIR) - 1, 0); TPIR = share of mated probes whose mate beats every non-mate and the threshold.
  `conservative`: the threshold that lets at most floor(n FPIR) non-mated probes through (the NIST
  definition, `FPIR_DEFINITION`), same TPIR test.
"""

from __future__ import annotations

import numpy as np

from sphere.errors import InputError
from sphere.protocols.verification import l2_normalise, require_finite

FARS = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
FPIRS = (1e-3, 1e-2, 1e-1)
RANKS = (1, 5, 10, 20)
READINGS = {
    "insightface": "deepinsight/insightface eval_ijbc.py (b0127a9): TAR at the sklearn-ROC point nearest the FAR, "
    "largest TAR at a tied FPR; ijb_evals.py evaluation_1N (33cb768): threshold index max(int(n FPIR) - 1, 0)",
    "conservative": "largest TAR with FPR <= FAR; 1:N threshold admitting at most floor(n FPIR) non-mated probes",
}
FPIR_DEFINITION = (
    "NIST IJB-C (Maze et al. 2018): FPIR(t) = share of non-mated probe templates whose top gallery "
    "score exceeds t; TPIR(t) = share of mated probe templates whose mate is rank 1 and scores above t"
)


def image_features(
    face: np.ndarray,
    flip: np.ndarray | None = None,
    scores: np.ndarray | None = None,
    use_flip: bool = True,
    detector_score: bool = False,
    norm_score: bool = False,
) -> np.ndarray:
    """Per-image input features of the template pooling (eval_ijbc.py's F1 / N1 / D1 switches)."""
    feats = np.asarray(face, np.float32)
    if use_flip and flip is not None:
        feats = feats + np.asarray(flip, np.float32)
    if not norm_score:
        feats = l2_normalise(feats)
    if detector_score:
        if scores is None:
            raise InputError("detector-score weighting needs the detector scores (<set>_name_5pts_score.txt)")
        feats = feats * np.asarray(scores, np.float32)[:, None]
    return feats


def _segment_sum(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unique groups, sum of rows per group, count per group), groups of any integer labels."""
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    sums = np.add.reduceat(values[order], starts, axis=0)
    return g[starts], sums, np.diff(np.r_[starts, len(g)])


def template_features(feats: np.ndarray, templates: np.ndarray, medias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted template ids, L2-normalised template features): media mean, then sum over media."""
    templates, medias = np.asarray(templates, np.int64), np.asarray(medias, np.int64)
    _, t_index = np.unique(templates, return_inverse=True)
    _, m_index = np.unique(medias, return_inverse=True)
    key = t_index.astype(np.int64) * (m_index.max() + 1) + m_index
    keys, sums, counts = _segment_sum(np.asarray(feats, np.float64), key)
    media_mean = sums / counts[:, None]
    owner = keys // (m_index.max() + 1)
    t_rows, t_sums, _ = _segment_sum(media_mean, owner)
    return np.unique(templates)[t_rows], l2_normalise(t_sums).astype(np.float32)


def template_rows(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row of each wanted template id in sorted `ids`, whether it is there at all)."""
    rows = np.clip(np.searchsorted(ids, wanted), 0, len(ids) - 1)
    return rows, ids[rows] == wanted


def pair_scores(features: np.ndarray, rows1: np.ndarray, rows2: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Cosine of template pairs (features already L2-normalised). Dense pair lists (IJB-C: 15.7M pairs
    of 23K templates) go by blocks of a matrix product, sparse ones by gathering rows in chunks; both
    bound memory (measured on 15.6M pairs x 512 dims: 30 s by blocks, 56 s by gathering, 2 loaded cores)."""
    out = np.empty(len(rows1), np.float32)
    n = len(features)
    if len(rows1) < 0.01 * n * n:
        for s in range(0, len(rows1), chunk):
            out[s : s + chunk] = np.einsum("ij,ij->i", features[rows1[s : s + chunk]], features[rows2[s : s + chunk]])
        return out
    block = max(1, min(2048, 2**26 // n))  # one block of similarities: at most 256 MB of float32
    order = np.argsort(rows1, kind="stable")
    a, b = rows1[order], rows2[order]
    edges = np.searchsorted(a, np.arange(0, n + block, block))
    for k, start in enumerate(range(0, n, block)):
        lo, hi = edges[k], edges[k + 1]
        if lo < hi:
            sims = features[start : start + block] @ features.T
            out[order[lo:hi]] = sims[a[lo:hi] - start, b[lo:hi]]
    return out


def threshold_counts(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false accepts, true accepts) as the threshold falls through each distinct score, highest first
    (tied scores cross the threshold together)."""
    order = np.argsort(-require_finite(scores), kind="stable")
    s, y = np.asarray(scores)[order], np.asarray(labels, bool)[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    return np.cumsum(~y)[last_of_tie], np.cumsum(y)[last_of_tie]


def insightface_roc(false_acc: np.ndarray, true_acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FPR, TPR) as sklearn.metrics.roc_curve returns them by default (drop_intermediate=True): only the
    points where the curve bends are kept (a point whose neighbours lie on one line with it goes), then
    the origin is put in front. Input: `threshold_counts`."""
    if len(false_acc) > 2:
        bends = np.r_[True, (np.diff(false_acc, 2) != 0) | (np.diff(true_acc, 2) != 0), True]
        false_acc, true_acc = false_acc[bends], true_acc[bends]
    false_acc, true_acc = np.r_[0, false_acc], np.r_[0, true_acc]
    return false_acc / max(false_acc[-1], 1), true_acc / max(true_acc[-1], 1)


def nearest_point(fpr: np.ndarray, tpr: np.ndarray, target: float) -> int:
    """Index of the ROC point whose FPR is nearest `target`; of equally near points the last, i.e. the
    largest TPR (eval_ijbc.py flips the ascending curve, then takes the first minimum)."""
    distance = np.abs(fpr - target)
    return len(distance) - 1 - int(np.argmin(distance[::-1]))


def tar_table(false_acc: np.ndarray, true_acc: np.ndarray, fars=FARS, reading: str = "insightface") -> list[dict]:
    """TAR (percent) at each FAR under both readings (module docstring); `tar` is the chosen `reading`'s,
    `far_insightface` the FPR of insightface's point; `resolved` false where the impostor count cannot
    resolve the target. Input: `threshold_counts`."""
    if reading not in READINGS:
        raise InputError(f"unknown IJB reading {reading!r}; expected one of {', '.join(READINGS)}")
    n_imp = int(false_acc[-1]) if len(false_acc) else 0
    far_all = np.r_[0.0, false_acc / max(n_imp, 1)]
    tar_all = np.r_[0.0, true_acc / max(int(true_acc[-1]) if len(true_acc) else 0, 1)]
    fpr, tpr = insightface_roc(false_acc, true_acc)
    rows = []
    for target in fars:
        k = nearest_point(fpr, tpr, target)
        row = {
            "far": target,
            "tar_insightface": float(100 * tpr[k]),
            "far_insightface": float(fpr[k]),
            "tar_conservative": float(100 * tar_all[far_all <= target + 1e-15].max()),
            "resolved": bool(n_imp * target >= 1),
        }
        rows.append({"far": target, "tar": row[f"tar_{reading}"], **row})
    return rows


def verify_1to1(
    features: np.ndarray, rows1: np.ndarray, rows2: np.ndarray, labels: np.ndarray, reading: str = "insightface"
) -> dict:
    """TAR at FAR 1e-6..1e-1 (percent), AUC and pair counts of template pairs (rows into `features`)."""
    scores = pair_scores(features, rows1, rows2)
    false_acc, true_acc = threshold_counts(scores, labels)  # once: 15.7M scores take seconds to sort
    far = np.r_[0.0, false_acc / max(int(false_acc[-1]), 1)]
    tar = np.r_[0.0, true_acc / max(int(true_acc[-1]), 1)]
    return {
        "tar_at_far": tar_table(false_acc, true_acc, reading=reading),
        "reading": reading,
        "auc": float(np.sum(np.diff(far) * (tar[1:] + tar[:-1]) / 2)),
        "pairs": int(len(labels)),
        "genuine": int(labels.sum()),
        "impostor": int((~labels).sum()),
    }


def tpir_row(non_top: np.ndarray, mated_hit: np.ndarray, mate_score: np.ndarray, fpir: float, reading: str) -> dict:
    """TPIR (percent) at one FPIR under both readings. `non_top`: the non-mated probes' top gallery
    scores sorted high to low; `mated_hit`: whether each mated probe's mate beats every non-mate."""
    n_non = len(non_top)
    if n_non == 0 or len(mated_hit) == 0:
        return {"fpir": fpir, "tpir": None, "resolved": False}
    row: dict = {"fpir": fpir}
    k = int(n_non * fpir)  # insightface: the k-th highest non-mated top score (index k - 1, at least 0)
    for name, t in (
        ("insightface", non_top[max(k - 1, 0)]),
        ("conservative", non_top[k] if k < n_non else -np.inf),  # scores above it: at most k false alarms
    ):
        row[f"tpir_{name}"] = float(100 * (mated_hit & (mate_score > t)).mean())
        row[f"threshold_{name}"] = float(t)
    row["tpir"], row["threshold"] = row[f"tpir_{reading}"], row[f"threshold_{reading}"]
    row["resolved"] = bool(n_non * fpir >= 1)
    return row


def search_1toN(
    probe_subjects: np.ndarray,
    probe_feats: np.ndarray,
    gallery_subjects: np.ndarray,
    gallery_feats: np.ndarray,
    fpirs=FPIRS,
    ranks=RANKS,
    reading: str = "insightface",
) -> dict:
    """CMC (percent of mated probes whose mate is within rank r) and TPIR at FPIR (module docstring).
    A subject with several gallery templates is matched by its best one (IJB-B/C galleries hold one
    template per subject, where this and insightface's first-template rule agree)."""
    if reading not in READINGS:
        raise InputError(f"unknown IJB reading {reading!r}; expected one of {', '.join(READINGS)}")
    sims = probe_feats @ gallery_feats.T
    mate_mask = probe_subjects[:, None] == gallery_subjects[None, :]
    mated = mate_mask.any(axis=1)
    mate_score = np.where(mate_mask, sims, -np.inf).max(axis=1)
    best_other = np.where(mate_mask, -np.inf, sims).max(axis=1) if len(gallery_subjects) else mate_score
    rank = 1 + (np.where(mate_mask, -np.inf, sims) > mate_score[:, None]).sum(axis=1)
    n_mated, n_non = int(mated.sum()), int((~mated).sum())
    cmc = {str(r): float(100 * (rank[mated] <= r).mean()) if n_mated else None for r in ranks}
    non_top = np.sort(sims.max(axis=1)[~mated])[::-1] if len(gallery_subjects) else np.zeros(0)
    hit = mate_score[mated] > best_other[mated]  # insightface's correct_pos_cond: strictly above every non-mate
    return {
        "cmc": cmc,
        "tpir_at_fpir": [tpir_row(non_top, hit, mate_score[mated], f, reading) for f in fpirs],
        "reading": reading,
        "mated_probes": n_mated,
        "non_mated_probes": n_non,
        "gallery_templates": int(len(gallery_subjects)),
        "fpir_definition": FPIR_DEFINITION,
    }
