import numpy as np

from sphere.store.io import read_store, write_store
from sphere.store.subset import top_identities, write_top_identities


def test_keeps_the_largest_identities_relabelled(tiny_store, tmp_path):
    store = read_store(tiny_store)
    # make identity "2" the largest by dropping half of every other identity's images
    keep = (store.index["identity"] == "2") | (np.arange(len(store.index)) % 2 == 0)
    index = store.index[keep].reset_index(drop=True)
    write_store(tmp_path / "uneven", np.asarray(store.images)[keep.to_numpy()], index)
    assert top_identities(index, 1) == ["2"]
    assert top_identities(index, 3) == ["2", "0", "1"]  # ties broken by name
    write_top_identities(tmp_path / "uneven", tmp_path / "top", 2)
    top = read_store(tmp_path / "top")
    assert sorted(top.index["identity"].unique()) == ["0", "2"]
    assert top.index.groupby("identity")["label"].first().to_dict() == {"0": 0, "2": 1}
    assert len(top.images) == len(top.index) == 8 + 4
