import numpy as np
import pytest

from sphere.formats.landmarks import read_landmarks, write_landmarks


def test_round_trip(tmp_path):
    points = {"A/A_0001.jpg": np.arange(10, dtype=np.float32).reshape(5, 2) + 0.25}
    write_landmarks(tmp_path / "lm.txt", points)
    back = read_landmarks(tmp_path / "lm.txt")
    assert list(back) == ["A/A_0001.jpg"] and np.allclose(back["A/A_0001.jpg"], points["A/A_0001.jpg"], atol=0.01)


def test_released_integer_format(tmp_path):
    (tmp_path / "lm.txt").write_text("Aaron/Aaron_0001.jpg\t107\t113\t147\t113\t126\t139\t111\t159\t141\t158\n")
    points = read_landmarks(tmp_path / "lm.txt")["Aaron/Aaron_0001.jpg"]
    assert points.shape == (5, 2) and points[4].tolist() == [141, 158]


def test_short_line_names_file_and_line(tmp_path):
    (tmp_path / "lm.txt").write_text("a.jpg\t" + "\t".join(str(v) for v in range(10)) + "\nb.jpg\t1\t2\n")
    with pytest.raises(ValueError, match=r"lm.txt:2: expected a path and 10 coordinates"):
        read_landmarks(tmp_path / "lm.txt")
