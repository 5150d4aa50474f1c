"""Identities shared by a training set and a test set: by name, and by embedding (numpy only).

By embedding, each identity is one unit vector, the normalised mean of its images' normalised features (its
centroid). A training identity and a test identity are a candidate when their centroids' cosine exceeds a
threshold set on the test set's own impostor distribution: the cosines between the centroids of its distinct
identities, which no shared person can inflate (a test set names each person once). The threshold is the
(1 - fmr) quantile of those impostor cosines, so about `fmr` of the unrelated (train, test) centroid pairs pass
it: fmr x train identities x test identities false candidates are expected. The default fmr is
`FALSE_PER_IDENTITY / train identities` (one false candidate per 100 test identities expected). It assumes
centroids of unrelated training identities score a test centroid as unrelated test centroids do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

FALSE_PER_IDENTITY = 0.01  # expected false candidates per test identity at the default false-match rate
KEEP_PATHS = 3  # image paths listed per identity of a candidate
BLOCK = 1024  # centroid rows scored at a time (a train x test score matrix of MS1M x LFW would be 2 GB)
NUMBERED = re.compile(r"^[a-z]{0,2}\d+$")  # CASIA 0000045, CelebA 07201, VGGFace2 n000002: set-local numbers


@dataclass(frozen=True)
class Centroids:
    """One row per identity: its name, unit centroid, image count and the first few image paths."""

    names: list[str]
    vectors: np.ndarray
    counts: np.ndarray
    paths: list[list[str]]


def unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def centroids(features: np.ndarray, identities: list[str], paths: list[str]) -> Centroids:
    """Per-identity centroids of image features (rows in the order of `identities`, first appearance first)."""
    codes, names = pd.factorize(pd.Series(identities, dtype=str))
    x = unit_rows(features)
    sums = np.zeros((len(names), x.shape[1]))
    np.add.at(sums, codes, x)
    kept: list[list[str]] = [[] for _ in names]
    for code, path in zip(codes, paths):
        if len(kept[code]) < KEEP_PATHS:
            kept[code].append(str(path))
    return Centroids(list(names), unit_rows(sums), np.bincount(codes, minlength=len(names)), kept)


def split_half_scores(features: np.ndarray, identities: list[str]) -> np.ndarray:
    """Per identity with 2+ images: the cosine between the centroids of its 1st, 3rd, ... and 2nd, 4th, ...
    images. These are same-person pairs the test set holds itself; the share above the threshold estimates the
    check's recall for a shared identity (a low estimate: each half has half the images)."""
    codes, names = pd.factorize(pd.Series(identities, dtype=str))
    x = unit_rows(features)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(names)))
    ranks = np.arange(len(codes)) - np.repeat(starts, np.bincount(codes, minlength=len(names)))
    halves = np.zeros((2, len(names), x.shape[1]))
    np.add.at(halves, (ranks % 2, codes[order]), x[order])
    keep = np.bincount(codes, minlength=len(names)) >= 2
    a, b = unit_rows(halves[0, keep]), unit_rows(halves[1, keep])
    return np.sum(a * b, axis=1)


def impostor_scores(test: Centroids) -> np.ndarray:
    """Cosines of every pair of distinct test identities (the upper triangle of the centroid Gram matrix)."""
    v = test.vectors.astype(np.float32)
    parts = []
    for start in range(0, len(v), BLOCK):
        block = v[start : start + BLOCK] @ v[start:].T  # rows and columns from identity `start` on
        rows, cols = np.triu_indices(len(block), 1, block.shape[1])  # column after row: each pair once
        parts.append(block[rows, cols])
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def threshold_at(impostors: np.ndarray, fmr: float) -> float:
    """The score that `fmr` of the impostor scores exceed: their (1 - fmr) quantile (the next score up, so
    at most fmr of them lie strictly above). Below the impostors' resolution (fmr < 1 / pairs) it is their
    largest score: no impostor lies above it."""
    if len(impostors) == 0:
        raise ValueError("a test set with fewer than 2 identities has no impostor distribution")
    return float(np.quantile(impostors, 1 - fmr, method="higher"))


def default_fmr(train_identities: int) -> float:
    return FALSE_PER_IDENTITY / max(train_identities, 1)


def is_numbered(names: list[str]) -> bool:
    """Identities named by set-local numbers (CASIA, CelebA, VGGFace2 folders, the synthetic train set): their
    names say nothing about another set's."""
    return bool(names) and all(NUMBERED.match(n.strip().lower()) for n in names)


def normal_name(name: str) -> str:
    """'Aaron_Eckhart', 'aaron eckhart', 'Aaron-Eckhart' -> 'aaron eckhart'."""
    return re.sub(r"[\s_\-.]+", " ", name).strip().lower()


def name_matches(train: list[str], test: list[str]) -> list[tuple[str, str]]:
    """(train name, test name) of the same normalised name; none where either set is numbered."""
    if is_numbered(train) or is_numbered(test):
        return []
    by_name = {normal_name(n): n for n in train}
    return [(by_name[normal_name(n)], n) for n in test if normal_name(n) in by_name]


@dataclass(frozen=True)
class Leaks:
    """The outcome for one test set: candidate rows, the threshold and what it rests on, and for the figure
    every test identity's best training-identity score and the impostor scores."""

    candidates: pd.DataFrame
    threshold: float
    fmr: float
    impostor_pairs: int
    by_name: bool
    best_train_score: np.ndarray
    impostors: np.ndarray


COLUMNS = [
    "test_identity",
    "train_identity",
    "match",
    "score",
    "rank",
    "threshold",
    "test_images",
    "train_images",
    "test_paths",
    "train_paths",
]


def find_leaks(train: Centroids, test: Centroids, fmr: float | None = None) -> Leaks:
    """Candidate shared identities: every (train, test) centroid pair above the impostor threshold, and
    every pair of equal names; `rank` is the train identity's place among all train identities for that test
    identity (1: its nearest)."""
    fmr = default_fmr(len(train.names)) if fmr is None else fmr
    impostors = impostor_scores(test)
    threshold = threshold_at(impostors, fmr)
    train_row = {n: i for i, n in enumerate(train.names)}
    test_row = {n: j for j, n in enumerate(test.names)}
    named = {(train_row[a], test_row[b]) for a, b in name_matches(train.names, test.names)}
    best = np.empty(len(test.names))
    found: dict[tuple[int, int], tuple[float, int]] = {}
    tv = train.vectors.astype(np.float32)
    for start in range(0, len(test.names), BLOCK):
        scores = test.vectors[start : start + BLOCK].astype(np.float32) @ tv.T  # test x train
        best[start : start + len(scores)] = scores.max(1)
        hits = set(zip(*np.nonzero(scores > threshold)))
        hits |= {(j - start, i) for i, j in named if start <= j < start + len(scores)}
        for jj, i in hits:
            rank = 1 + int(np.sum(scores[jj] > scores[jj, i]))
            found[(int(i), int(start + jj))] = (float(scores[jj, i]), rank)
    rows = []
    for (i, j), (score, rank) in found.items():
        above = score > threshold
        rows.append(
            {
                "test_identity": test.names[j],
                "train_identity": train.names[i],
                "match": "name+embedding"
                if (i, j) in named and above
                else ("name" if (i, j) in named else "embedding"),
                "score": round(score, 4),
                "rank": rank,
                "threshold": round(threshold, 4),
                "test_images": int(test.counts[j]),
                "train_images": int(train.counts[i]),
                "test_paths": ";".join(test.paths[j]),
                "train_paths": ";".join(train.paths[i]),
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values(["score", "test_identity", "train_identity"], ascending=[False, True, True])
    return Leaks(
        table.reset_index(drop=True),
        threshold,
        fmr,
        len(impostors),
        not (is_numbered(train.names) or is_numbered(test.names)),
        best,
        impostors,
    )
