import numpy as np
import pytest
from PIL import Image

from sphere.formats.sources import (
    list_sources,
    read_identity_list,
    resolve,
    root_prefixes,
)


def _folder(root, layout):
    for ident, n in layout.items():
        (root / ident).mkdir(parents=True)
        for i in range(n):
            Image.fromarray(np.full((8, 8, 3), i, np.uint8)).save(root / ident / f"{i:03d}.jpg")
    return root


def test_single_root_paths_are_relative(tmp_path):
    root = _folder(tmp_path / "lfw", {"Ann": 2, "Bob": 1})
    table = list_sources(root)
    assert table["path"].tolist() == ["Ann/000.jpg", "Ann/001.jpg", "Bob/000.jpg"]
    assert resolve([root], "Bob/000.jpg") == (root / "Bob" / "000.jpg", "Bob")


def test_two_roots_form_one_identity_space(tmp_path):
    a = _folder(tmp_path / "wild", {"0001": 2, "0002": 1})
    b = _folder(tmp_path / "aligned", {"0002": 2, "0003": 1})
    table = list_sources([a, b], min_images=2)
    # 0002 has 1 + 2 images over both roots: one class; 0003 (1 image) is dropped, 0001 kept
    assert sorted(table["identity"].unique()) == ["0001", "0002"]
    assert table.groupby("identity")["label"].nunique().eq(1).all()
    assert set(table.loc[table["identity"] == "0002", "path"]) == {
        "wild/0002/000.jpg",
        "aligned/0002/000.jpg",
        "aligned/0002/001.jpg",
    }
    assert table["path"].is_unique
    assert all(f.is_file() for f in table["file"])
    assert resolve([a, b], "aligned/0002/001.jpg") == (b / "0002" / "001.jpg", "0002")
    with pytest.raises(ValueError, match="must start with one of"):
        resolve([a, b], "0002/001.jpg")


def test_same_folder_names_get_distinct_prefixes(tmp_path):
    a, b = _folder(tmp_path / "x" / "img", {"p": 1}), _folder(tmp_path / "y" / "img", {"p": 1})
    assert root_prefixes([a, b]) == ["0-img", "1-img"]
    assert list_sources([a, b])["path"].tolist() == ["0-img/p/000.jpg", "1-img/p/000.jpg"]


def test_excluded_identities_are_left_out(tmp_path):
    root = _folder(tmp_path / "casia", {"0001": 2, "0002": 2})
    (tmp_path / "overlap.txt").write_text("# in LFW\n0002\n\n")
    exclude = read_identity_list(tmp_path / "overlap.txt")
    assert exclude == {"0002"}
    table = list_sources(root, exclude=exclude)
    assert table["identity"].unique().tolist() == ["0001"] and table["label"].tolist() == [0, 0]
    with pytest.raises(ValueError, match="no identity with at least 3"):
        list_sources(root, min_images=3)
