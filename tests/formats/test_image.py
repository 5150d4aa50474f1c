"""The one image decoder: every mode to 8-bit RGB, the same bytes for training stores and `sphere evaluate`."""

import pickle

import numpy as np
import pytest
from PIL import Image

from sphere.errors import InputError, MissingFile
from sphere.formats.image import read_rgb


def test_16_bit_grey_keeps_its_high_byte(tmp_path):
    grey = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16  # 0 .. 65520
    Image.fromarray(grey).save(tmp_path / "deep.png")
    rgb = read_rgb(tmp_path / "deep.png")
    assert rgb.shape == (64, 64, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[..., 0], grey >> 8)  # PIL's plain convert would clip all but 255 to 255


def test_modes_decode_to_the_same_rgb_as_pil_for_8_bit(tmp_path):
    array = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    Image.fromarray(array).save(tmp_path / "a.png")
    Image.fromarray(array).convert("L").save(tmp_path / "g.png")
    np.testing.assert_array_equal(read_rgb(tmp_path / "a.png"), array)
    np.testing.assert_array_equal(read_rgb(tmp_path / "g.png")[..., 1], np.asarray(Image.fromarray(array).convert("L")))


def test_missing_and_broken_files_name_the_path(tmp_path):
    with pytest.raises(MissingFile, match=r"nowhere\.jpg: image not found"):
        read_rgb(tmp_path / "nowhere.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    with pytest.raises(InputError, match=r"broken\.jpg: cannot decode image"):
        read_rgb(tmp_path / "broken.jpg")


def test_a_missing_file_error_crosses_a_worker_pool_intact():
    error = pickle.loads(pickle.dumps(MissingFile("/data/a.jpg", "image not found")))
    assert isinstance(error, MissingFile) and str(error) == "/data/a.jpg: image not found"
