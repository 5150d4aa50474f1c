import pytest

from sphere.errors import InputError
from sphere.formats.ijb import (
    read_1n_csv,
    read_5pts_score,
    read_face_tid_mid,
    read_template_pairs,
)


def test_readers_parse_the_distributed_layout(tmp_path):
    (tmp_path / "f.txt").write_text("1.jpg 1 69544\n2.jpg 1 69544\n3.jpg 7 12\n")
    faces = read_face_tid_mid(tmp_path / "f.txt")
    assert faces.images == ["1.jpg", "2.jpg", "3.jpg"] and faces.templates.tolist() == [1, 1, 7]
    (tmp_path / "p.txt").write_text("1 7 0\n1 1 1\n")
    t1, t2, label = read_template_pairs(tmp_path / "p.txt")
    assert t2.tolist() == [7, 1] and label.tolist() == [False, True]
    (tmp_path / "l.txt").write_text("1.jpg " + " ".join(str(v) for v in range(10)) + " 0.93\n")
    names, points, scores = read_5pts_score(tmp_path / "l.txt")
    assert points.shape == (1, 5, 2) and points[0, 4, 1] == 9 and scores.tolist() == [0.93]
    (tmp_path / "g.csv").write_text("TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n5,9,img/1.jpg,3\n")
    table = read_1n_csv(tmp_path / "g.csv")
    assert table.filenames == ["img/1.jpg"] and table.subjects.tolist() == [9] and table.medias.tolist() == [3]


def test_bad_values_name_file_and_line(tmp_path):
    (tmp_path / "p.txt").write_text("1 7 0\n1 x 1\n3 4 1\n")
    with pytest.raises(InputError, match=r"p.txt:2: expected an integer, got 'x'"):
        read_template_pairs(tmp_path / "p.txt")
    (tmp_path / "q.txt").write_text("1 7 0\n1 2 5\n")
    with pytest.raises(InputError, match=r"q.txt:2: label must be 0 or 1"):
        read_template_pairs(tmp_path / "q.txt")
    (tmp_path / "r.txt").write_text("1 7 0\n1 2 1 4\n")
    with pytest.raises(InputError, match=r"r.txt"):
        read_template_pairs(tmp_path / "r.txt")
    (tmp_path / "g.csv").write_text("TEMPLATE,SUBJECT_ID,FILENAME\n5,9,a.jpg\n")
    with pytest.raises(InputError, match=r"g.csv:1: header lacks \['TEMPLATE_ID'\]"):
        read_1n_csv(tmp_path / "g.csv")
