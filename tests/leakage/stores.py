"""Tiny aligned stores with planted shared identities and an untrained sphere model, for the leakage tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sphere.store.io import INDEX_COLUMNS, write_store

SIZE = (40, 32)
SHARED = {"Guest_0": "Person_005", "Guest_1": "Person_017", "Guest_2": "Person_023", "Guest_3": "Person_031"}
NAMESAKE = ("person 010", "Person_010")  # same name in both sets, a different face


def smooth_face(rng: np.random.Generator) -> np.ndarray:
    """A random smooth uint8 image (a coarse grid upsampled): an identity's base picture."""
    coarse = rng.uniform(0, 255, (5, 4, 3))
    return np.kron(coarse, np.ones((8, 8, 1)))


def write(folder: Path, bases: dict[str, np.ndarray], per_identity: int, rng: np.random.Generator) -> None:
    faces, rows = [], []
    for label, (name, base) in enumerate(bases.items()):
        for k in range(per_identity):
            faces.append(np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8))
            rows.append({"path": f"{name}/{k:03d}.jpg", "identity": name, "label": label, "detection": "given"})
    index = pd.DataFrame(rows)
    for column in INDEX_COLUMNS:
        if column not in index:
            index[column] = 0.0
    write_store(folder, np.stack(faces), index)


def planted_stores(root: Path) -> tuple[Path, Path, Path]:
    """(train store, test store, model.pt): 40 training identities x 5 faces, 16 test identities x 3 faces of
    which the 4 SHARED are training identities under another name, and one NAMESAKE with a new face."""
    import torch

    from sphere.models import create_model
    from sphere.models.io import save_model

    rng = np.random.default_rng(0)
    train = {f"Person_{i:03d}": smooth_face(rng) for i in range(40)}
    test = {name: train[source] for name, source in SHARED.items()}
    test |= {NAMESAKE[0]: smooth_face(rng)}
    test |= {f"Visitor_{i}": smooth_face(rng) for i in range(11)}
    write(root / "train", train, 5, rng)
    write(root / "test", test, 3, rng)
    torch.manual_seed(0)
    net = create_model("sphereface4", width=0.25, feature_dim=16, input_size=SIZE)
    save_model(net.state_dict(), "sphereface4", 0.25, 16, SIZE, root / "model", {"status": "ok", "steps": 0})
    return root / "train", root / "test", root / "model" / "model.pt"
