import io
import os
import pickle

import numpy as np
import pytest
from PIL import Image

from sphere.formats.verification_bin import read_verification_bin


def encoded(colour, fmt="JPEG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (14, 16), colour).save(buf, format=fmt)
    return buf.getvalue()


COLOURS = [(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 0)]
ISSAME = [True, False]


def check(images, same):
    assert same.dtype == bool and same.tolist() == ISSAME
    assert len(images) == 4
    for img, colour in zip(images, COLOURS):
        assert img.shape == (16, 14, 3) and img.dtype == np.uint8
        np.testing.assert_allclose(img.reshape(-1, 3).mean(0), colour, atol=6)


@pytest.mark.parametrize("protocol", [2, 3, pickle.HIGHEST_PROTOCOL])
def test_round_trip(tmp_path, protocol):
    path = tmp_path / "lfw.bin"
    path.write_bytes(pickle.dumps(([encoded(c) for c in COLOURS], ISSAME), protocol=protocol))
    check(*read_verification_bin(path))


def test_python2_pickle_with_str_images(tmp_path):
    """What Python 2's pickle.dump(..., protocol=2) writes: str (bytes) items as SHORT_BINSTRING/BINSTRING."""

    def string(b: bytes) -> bytes:
        return (b"U" + bytes([len(b)]) if len(b) < 256 else b"T" + len(b).to_bytes(4, "little")) + b

    body = b"\x80\x02]q\x00(" + b"".join(string(encoded(c, "PNG")) for c in COLOURS) + b"e]q\x01(\x88\x89e\x86q\x02."
    path = tmp_path / "agedb_30.bin"
    path.write_bytes(body)
    check(*read_verification_bin(path))


def test_numpy_arrays_are_allowed(tmp_path):
    path = tmp_path / "cfp_fp.bin"
    bins = [np.frombuffer(encoded(c), np.uint8) for c in COLOURS]
    path.write_bytes(pickle.dumps((bins, np.array(ISSAME))))
    check(*read_verification_bin(path))
    path.write_bytes(pickle.dumps(([encoded(c) for c in COLOURS], [np.bool_(s) for s in ISSAME])))
    check(*read_verification_bin(path))


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_malicious_pickles_are_refused(tmp_path):
    path = tmp_path / "evil.bin"
    path.write_bytes(pickle.dumps(([Evil()], [True])))
    with pytest.raises(pickle.UnpicklingError, match=r"evil.bin: refusing to load global (posix|os|nt)\.system"):
        read_verification_bin(path)
    path.write_bytes(pickle.dumps((np.array([Evil()], dtype=object), [True])))
    with pytest.raises(pickle.UnpicklingError, match="object|refusing"):
        read_verification_bin(path)


def test_inconsistent_sets_name_the_file(tmp_path):
    path = tmp_path / "odd.bin"
    path.write_bytes(pickle.dumps(([encoded(c) for c in COLOURS[:3]], ISSAME)))
    with pytest.raises(ValueError, match="odd.bin: 3 images for 2 pairs"):
        read_verification_bin(path)
    path.write_bytes(pickle.dumps(([b"not an image"] * 2, [True])))
    with pytest.raises(ValueError, match="odd.bin: image 0: cannot decode"):
        read_verification_bin(path)
    path.write_bytes(b"garbage")
    with pytest.raises((ValueError, pickle.UnpicklingError), match="odd.bin"):
        read_verification_bin(path)
