from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sphere.data.store import INDEX_COLUMNS, write_store

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
    index["path"] = [f"{l}/{i}.jpg" for i, l in enumerate(labels)]
    index["identity"] = labels.astype(str)
    index["label"] = labels
    index["detection"] = "given"
    write_store(tmp_path / "store", images, index)
    return tmp_path / "store"
