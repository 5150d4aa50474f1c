"""Batch sampling with a saved state, so an interrupted run resumes on exactly the same batches."""
from __future__ import annotations

import numpy as np


class BatchSampler:
    """Uniform random batches, or P identities x K images (`per_identity=K`) for pair and triplet mining.

    Uniform batches walk a fresh permutation per epoch. Each batch also gets a random horizontal-flip mask.
    """

    def __init__(self, labels: np.ndarray, batch_size: int, per_identity: int | None, seed: int) -> None:
        self.labels = np.asarray(labels)
        self.batch_size = batch_size
        self.per_identity = per_identity
        self.rng = np.random.default_rng(seed)
        self.order = np.empty(0, np.int64)
        self.position = 0
        if per_identity:
            self.by_identity = [np.flatnonzero(self.labels == c) for c in np.unique(self.labels)]

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        index = self._pk() if self.per_identity else self._uniform()
        return index, self.rng.random(len(index)) < 0.5

    def _uniform(self) -> np.ndarray:
        if self.position + self.batch_size > len(self.order):
            self.order, self.position = self.rng.permutation(len(self.labels)), 0
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return index

    def _pk(self) -> np.ndarray:
        k = self.per_identity
        p = max(1, self.batch_size // k)
        chosen = self.rng.choice(len(self.by_identity), size=min(p, len(self.by_identity)), replace=False)
        return np.concatenate(
            [self.rng.choice(self.by_identity[c], size=k, replace=len(self.by_identity[c]) < k) for c in chosen]
        )

    def get_state(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "order": self.order.tolist(), "position": self.position}

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.order = np.asarray(state["order"], np.int64)
        self.position = int(state["position"])
