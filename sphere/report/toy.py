"""The toy experiment (paper Fig. 5): 3-d FC1 features of the 6 largest identities, one panel per m."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sphere.protocols.angles import angle_stats, angular_fisher_score
from sphere.protocols.verification import l2_normalise
from sphere.report.figures import plt, save, sns, styled


def pair_angles(features: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angles (degrees) of every pair of faces, and whether the pair shares an identity."""
    first, second = np.array(list(combinations(range(len(labels)), 2))).T
    f = l2_normalise(np.asarray(features, np.float64))
    cos = np.clip(np.sum(f[first] * f[second], axis=1), -1, 1)
    return np.degrees(np.arccos(cos)), labels[first] == labels[second]


def toy_angles(
    features_by_method: dict[Any, np.ndarray], labels: np.ndarray, margins: dict[Any, int | None]
) -> pd.DataFrame:
    """Per method: max intra-class and min inter-class pair angle (with percentiles) and the AFS."""
    rows = []
    for method, features in features_by_method.items():
        angles, same = pair_angles(features, labels)
        stats = angle_stats(angles, same)
        rows.append(
            {
                "method": method,
                "m": margins[method],
                **{k: round(v, 2) for k, v in stats.items()},
                "angular_fisher_score": round(angular_fisher_score(features, labels), 4),
            }
        )
    return pd.DataFrame(rows)


def sphere_figure(features_by_method: dict[str, np.ndarray], labels: np.ndarray, out: Path) -> plt.Figure:
    """Features projected on the unit sphere (Fig. 5, upper row), one 3-D panel per method, colour = identity;
    the panels are zoomed so that the sphere fills its frame."""
    n = len(features_by_method)
    with styled():
        fig = plt.figure(figsize=(2.6 * n, 3.0), layout="constrained")
        u, v = np.mgrid[0 : 2 * np.pi : 30j, 0 : np.pi : 15j]
        colours = sns.color_palette("tab10")
        for i, (method, features) in enumerate(features_by_method.items()):
            ax = fig.add_subplot(1, n, i + 1, projection="3d")
            ax.plot_wireframe(np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v), color="0.85", lw=0.3)
            points = l2_normalise(np.asarray(features, np.float64))
            for label in np.unique(labels):
                p = points[labels == label]
                ax.scatter(p[:, 0], p[:, 1], p[:, 2], s=6, color=colours[int(label) % 10], depthshade=False)
            ax.set_title(method, y=0.95)
            ax.set_axis_off()
            ax.set_xlim(-1, 1), ax.set_ylim(-1, 1), ax.set_zlim(-1, 1)
            ax.set_box_aspect((1, 1, 1), zoom=1.35)
        fig.suptitle(
            "Toy experiment (paper Fig. 5): 3-d FC1 features of 6 identities on the unit sphere; colour: identity"
        )
    return save(fig, out)
