"""The toy experiment (paper Fig. 5): 3-d FC1 features of the 6 largest identities, one panel per m."""

from __future__ import annotations

import textwrap
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sphere.protocols.angles import angle_stats, angular_fisher_score
from sphere.protocols.verification import l2_normalise
from sphere.report.figures import palette, plt, save, styled

# mplot3d's default view draws the unit sphere's outline over about 92 % of a square panel at this zoom
SPHERE_ZOOM = 1.55
PANEL_IN, HEADER_IN = 2.3, 0.3  # a panel's side and the band of its title above it (inches)
LINE_IN, TITLE_CHARS_PER_IN = 0.2, 10  # a line of the figure's title (seaborn "paper": 11.5 pt) and its width


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


def sphere_panel(ax: Any, method: str, features: np.ndarray, labels: np.ndarray, colours: dict) -> None:
    """One method's features projected on the unit sphere (a light wireframe), colour = identity, no axes."""
    u, v = np.mgrid[0 : 2 * np.pi : 30j, 0 : np.pi : 15j]
    ax.plot_wireframe(np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v), color="0.85", lw=0.3)
    points = l2_normalise(np.asarray(features, np.float64))
    for label, colour in colours.items():
        p = points[labels == label]
        ax.scatter(p[:, 0], p[:, 1], p[:, 2], s=7, color=colour, depthshade=False)
    ax.set_axis_off()
    ax.set(xlim=(-1, 1), ylim=(-1, 1), zlim=(-1, 1))
    ax.set_box_aspect((1, 1, 1), zoom=SPHERE_ZOOM)
    ax.set_title(method, pad=2)


def sphere_figure(features_by_method: dict[str, np.ndarray], labels: np.ndarray, out: Path) -> plt.Figure:
    """Features projected on the unit sphere (Fig. 5, upper row), one square 3-D panel per method side by side,
    colour = identity; placed by hand (no layout engine), so that each sphere fills its panel, under a title
    wrapped to the figure's width."""
    n = len(features_by_method)
    identities = np.unique(labels)
    colours = dict(zip(identities, palette(map(str, identities)).values()))
    title = [
        "Toy experiment (paper Fig. 5): 3-d FC1 features on the unit sphere",
        f"colour: identity ({len(colours)} largest training identities); each method's first seed",
    ]
    lines = [line for part in title for line in textwrap.wrap(part, int(TITLE_CHARS_PER_IN * PANEL_IN * n))]
    height = PANEL_IN + HEADER_IN + LINE_IN * len(lines)
    with styled():
        fig = plt.figure(figsize=(PANEL_IN * n, height))
        for i, (method, features) in enumerate(features_by_method.items()):
            ax = fig.add_axes((i / n, 0, 1 / n, PANEL_IN / height), projection="3d")
            sphere_panel(ax, method, features, labels, colours)
        fig.suptitle("\n".join(lines), x=0.01, y=1 - 0.04 / height, ha="left", va="top")
    return save(fig, out, constrained=False)
