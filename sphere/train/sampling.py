"""Batch sampling with a saved state, so an interrupted run resumes on exactly the same batches."""

from __future__ import annotations

import numpy as np


class BatchSampler:
    """Uniform random batches, or P identities x K images (`per_identity=K`) for pair and triplet mining.

    Uniform batches walk a fresh permutation per epoch. Each batch also gets a random horizontal-flip mask.
    Every batch holds exactly `batch_size` images (static shapes for a compiled step): the images left
    over at the end of an epoch are skipped, a store smaller than one batch is walked several times
    per batch, and P x K batches take ceil(batch_size / K) identities (with replacement when the store
    has fewer) and cut the last one short when K does not divide the batch.
    """

    def __init__(self, labels: np.ndarray, batch_size: int, per_identity: int | None, seed: int) -> None:
        self.labels = np.asarray(labels)
        if len(self.labels) == 0 or batch_size < 1:
            raise ValueError(f"cannot sample batches of {batch_size} from {len(self.labels)} images")
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
            n = len(self.labels)
            laps = -(-self.batch_size // n)  # 1 unless the store is smaller than a batch
            self.order = np.concatenate([self.rng.permutation(n) for _ in range(laps)])
            self.position = 0
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return index

    def _pk(self) -> np.ndarray:
        k = self.per_identity
        assert k is not None  # P x K batches only: __init__ checked it
        p = -(-self.batch_size // k)
        identities = len(self.by_identity)
        chosen = self.rng.choice(identities, size=p, replace=identities < p)
        return np.concatenate(
            [self.rng.choice(self.by_identity[c], size=k, replace=len(self.by_identity[c]) < k) for c in chosen]
        )[: self.batch_size]

    def get_state(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "order": self.order.tolist(), "position": self.position}

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.order = np.asarray(state["order"], np.int64)
        self.position = int(state["position"])
