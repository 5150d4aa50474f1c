import numpy as np
import pytest
from PIL import Image

from sphere.formats.imagefolder import list_image_folder


def _img(path, fmt):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path, format=fmt)


@pytest.fixture
def casia_like(tmp_path):
    root = tmp_path / "CASIA-WebFace"
    for ident, n in [("0000045", 3), ("0000099", 1), ("0000102", 2)]:
        for i in range(n):
            _img(root / ident / f"{i + 1:03d}.jpg", "JPEG")
    _img(root / "0000102" / "extra.png", "PNG")
    (root / "0000045" / "notes.txt").write_text("not an image")
    (root / "0000045" / ".hidden.jpg").write_bytes(b"")
    (root / "stray.jpg").write_bytes(b"")  # a file at the top level is no identity
    return root


def test_lists_relative_paths_with_sorted_labels(casia_like):
    table = list_image_folder(casia_like)
    assert list(table.columns) == ["path", "identity", "label"]
    assert table["path"].tolist() == [
        "0000045/001.jpg",
        "0000045/002.jpg",
        "0000045/003.jpg",
        "0000099/001.jpg",
        "0000102/001.jpg",
        "0000102/002.jpg",
        "0000102/extra.png",
    ]
    assert table["label"].tolist() == [0, 0, 0, 1, 2, 2, 2]
    assert (casia_like / table["path"][6]).is_file()


def test_min_images_drops_identities_before_labelling(casia_like):
    table = list_image_folder(casia_like, min_images=2)
    assert sorted(set(table["identity"])) == ["0000045", "0000102"]
    assert table.groupby("identity")["label"].first().to_dict() == {"0000045": 0, "0000102": 1}


def test_errors_name_the_folder(tmp_path, casia_like):
    with pytest.raises(ValueError, match="not a folder"):
        list_image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="CASIA-WebFace: no identity folder with at least 5"):
        list_image_folder(casia_like, min_images=5)


def test_real_celeba_folder(shared_data):
    root = shared_data / "celeba-299"
    if not root.is_dir():
        pytest.skip(f"{root} absent")
    table = list_image_folder(root)
    assert len(table) == 6300 and table["label"].max() == 298
