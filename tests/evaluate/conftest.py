"""Tiny LFW-layout benchmarks written in the real formats, with identity-structured embeddings."""
import numpy as np
import pytest

from sphere.data.embeddings import write_embeddings


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
