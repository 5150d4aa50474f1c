from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sphere.formats.embeddings import write_embeddings
from sphere.store.io import INDEX_COLUMNS, write_store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real faces of ../shared/data; tests that need them skip where they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real face data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def tiny_store(tmp_path):
    """A 4-identity packed store of 16x16 coloured noise faces, 8 images each."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 8)
    # Each class a distinct colour plus noise, so a few steps already learn something.
    colours = rng.integers(0, 255, (4, 3))
    images = np.clip(colours[labels][:, None, None, :] + rng.normal(0, 30, (32, 16, 16, 3)), 0, 255).astype(np.uint8)
    index = pd.DataFrame({c: 0.0 for c in INDEX_COLUMNS}, index=range(32))
    index["path"] = [f"{label}/{i}.jpg" for i, label in enumerate(labels)]
    index["identity"] = labels.astype(str)
    index["label"] = labels
    index["detection"] = "given"
    write_store(tmp_path / "store", images, index)
    return tmp_path / "store"


# Tiny LFW-layout benchmarks written in the real formats, with identity-structured embeddings.
def write_lfw(folder, folds=3, half=10, people=12, images=4, seed=0):
    """A View-2 pairs.txt over `people` x `images` names and an embeddings file for those images."""
    rng = np.random.default_rng(seed)
    names = [f"Person_{p}" for p in range(people)]
    lines = [f"{folds}\t{half}"]
    for _ in range(folds):
        for _ in range(half):
            p = rng.integers(people)
            a, b = rng.choice(images, 2, replace=False) + 1
            lines.append(f"{names[p]}\t{a}\t{b}")
        for _ in range(half):
            p, q = rng.choice(people, 2, replace=False)
            lines.append(f"{names[p]}\t{rng.integers(images) + 1}\t{names[q]}\t{rng.integers(images) + 1}")
    (folder / "pairs.txt").write_text("\n".join(lines) + "\n")
    paths = [f"{n}/{n}_{i + 1:04d}.jpg" for n in names for i in range(images)]
    centres = rng.normal(size=(people, 8))
    face = np.repeat(centres, images, 0) + rng.normal(scale=0.8, size=(len(paths), 8))
    flip = face + rng.normal(scale=0.2, size=face.shape)
    write_embeddings(folder / "emb.npz", face, paths, flip)
    return folder / "pairs.txt", folder / "emb.npz", paths, face, flip


@pytest.fixture
def lfw(tmp_path):
    return write_lfw(tmp_path)
