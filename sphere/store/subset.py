"""Sub-stores: the identities with the most images (the toy experiment of the paper's Fig. 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.store.io import read_store, write_store


def top_identities(index, n: int) -> list[str]:
    """The n identities with the most images; ties broken by identity name, so the choice is stable."""
    counts = index.groupby("identity").size().reset_index(name="images")
    counts = counts.sort_values(["images", "identity"], ascending=[False, True])
    if len(counts) < n:
        raise InputError(f"asked for {n} identities, the store has {len(counts)}")
    return counts["identity"].head(n).tolist()


def write_top_identities(store_dir: Path, out_dir: Path, n: int = 6) -> None:
    """Copy the faces of the n largest identities into a new store, relabelled 0..n-1 (6: the toy
    experiment's identities)."""
    store = read_store(store_dir)
    keep = top_identities(store.index, n)
    rows = np.flatnonzero(store.index["identity"].isin(keep).to_numpy())
    index = store.index.iloc[rows].reset_index(drop=True)
    index["label"] = index["identity"].map({name: i for i, name in enumerate(sorted(keep))})
    write_store(out_dir, np.asarray(store.images[rows]), index)
