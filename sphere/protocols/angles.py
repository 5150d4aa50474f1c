"""Angle statistics of test features (docs/paper.md §1 Appendix, §4 Fig. 5)."""

from __future__ import annotations

import numpy as np

from sphere.protocols.verification import l2_normalise


def angle_stats(angles_deg: np.ndarray, same: np.ndarray) -> dict[str, float]:
    """Maximal intra-class and minimal inter-class pair angle, with 99th / 1st percentiles (less outlier-driven)."""
    positive, negative = angles_deg[same], angles_deg[~same]
    return {
        "max_intra_deg": float(positive.max()),
        "intra_p99_deg": float(np.percentile(positive, 99)),
        "min_inter_deg": float(negative.min()),
        "inter_p01_deg": float(np.percentile(negative, 1)),
        "mean_intra_deg": float(positive.mean()),
        "mean_inter_deg": float(negative.mean()),
    }


def angular_fisher_score(features: np.ndarray, labels: np.ndarray) -> float:
    """AFS = S_w / S_b, S_w = sum_i sum_{x in i} (1 - cos<x, mu_i>), S_b = sum_i n_i (1 - cos<mu_i, mu>).

    Lower is more discriminative (paper Appendix). Class means are taken of the raw features.
    """
    features = np.asarray(features, np.float64)
    mu = l2_normalise(features.mean(0))
    within = between = 0.0
    for c in np.unique(labels):
        members = features[labels == c]
        mu_c = l2_normalise(members.mean(0))
        within += np.sum(1 - l2_normalise(members) @ mu_c)
        between += len(members) * (1 - mu_c @ mu)
    return float(within / between)
