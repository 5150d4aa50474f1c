"""The packed store: written chunk by chunk (StoreWriter) exactly as written whole (write_store), read mapped."""

import numpy as np
import pandas as pd
import pytest

from sphere.errors import InputError
from sphere.store.io import INDEX_COLUMNS, StoreWriter, read_store, write_store


def faces_and_index(n: int, seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 6, 5, 3), dtype=np.uint8)
    index = pd.DataFrame({c: rng.normal(50, 20, n) for c in INDEX_COLUMNS})
    index["path"] = [f"id{i % 3}/{i}.jpg" for i in range(n)]
    index["identity"] = [f"id{i % 3}" for i in range(n)]
    index["label"] = np.arange(n) % 3
    index["detection"] = "given"
    return images, index


def test_chunked_store_is_byte_identical_to_the_whole_one(tmp_path):
    images, index = faces_and_index(11)
    write_store(tmp_path / "whole", images, index)
    with StoreWriter(tmp_path / "chunked", 11, (6, 5)) as writer:
        for start in (0, 4, 8):
            writer.add(images[start : start + 4], index.iloc[start : start + 4])
    for name in ("images.npy", "index.csv"):
        assert (tmp_path / "chunked" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "chunked").iterdir()) == ["images.npy", "index.csv"]


def test_a_failed_build_leaves_the_earlier_store_as_it_was(tmp_path):
    images, index = faces_and_index(8)
    write_store(tmp_path, images, index)  # an older complete store, which the failed build must not touch
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RuntimeError), StoreWriter(tmp_path, 8, (6, 5)) as writer:
        writer.add(images[::-1][:4].copy(), index.iloc[:4])
        raise RuntimeError("killed")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no hidden leftovers either


def test_a_failed_first_build_leaves_no_store(tmp_path):
    images, index = faces_and_index(8)
    with pytest.raises(RuntimeError), StoreWriter(tmp_path, 8, (6, 5)) as writer:
        writer.add(images[:4], index.iloc[:4])
        raise RuntimeError("killed")
    assert not any(tmp_path.iterdir())
    with pytest.raises(InputError, match="no packed store here"):
        read_store(tmp_path)


def test_a_short_build_is_refused(tmp_path):
    images, index = faces_and_index(4)
    with pytest.raises(ValueError, match="3 faces written of the 4 announced"), StoreWriter(tmp_path, 4, (6, 5)) as w:
        w.add(images[:3], index.iloc[:3])
    assert not (tmp_path / "index.csv").exists()
    with pytest.raises(ValueError, match="more than the 4"), StoreWriter(tmp_path, 4, (6, 5)) as w:
        w.add(images, index)
        w.add(images[:1], index.iloc[:1])


def test_store_is_read_memory_mapped(tmp_path):
    images, index = faces_and_index(5)
    write_store(tmp_path, images, index)
    store = read_store(tmp_path)
    assert isinstance(store.images, np.memmap) and not store.images.flags.writeable
    np.testing.assert_array_equal(store.images, images)
    assert store.index["path"].tolist() == index["path"].tolist() and store.num_classes == 3


def test_a_broken_index_names_its_file(tmp_path):
    images, index = faces_and_index(3)
    write_store(tmp_path, images, index)
    (tmp_path / "index.csv").write_text("")
    with pytest.raises(InputError, match="index.csv:1: empty file"):
        read_store(tmp_path)
    (tmp_path / "index.csv").write_text('path,identity\n"a,b\n')
    with pytest.raises(InputError, match="index.csv: not a valid CSV table"):
        read_store(tmp_path)


def test_store_does_not_import_formats():
    """sphere.formats reads stores (detections, bin_writer); the store depends on nothing of formats."""
    import ast
    from pathlib import Path

    import sphere.store

    for module in Path(sphere.store.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("sphere.formats"), module
