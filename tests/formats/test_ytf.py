from pathlib import Path

import pytest

from sphere.formats.ytf import (
    frame_number,
    list_video_frames,
    read_labeled_faces,
    read_splits,
)


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def test_list_video_frames_sorts_numerically(tmp_path):
    root = tmp_path / "frame_images_DB"
    for frame in (100, 9, 10):
        touch(root / "Aaron_Eckhart" / "0" / f"0.{frame}.jpg")
    touch(root / "Aaron_Eckhart" / "1" / "1.55.jpg")
    touch(root / "Abel_Pacheco" / "4" / "4.7.jpg")
    (root / "Abel_Pacheco" / "2").mkdir()  # a video folder without frames is left out
    (root / "Aaron_Eckhart.labeled_faces.txt").write_text("")
    videos = list_video_frames(root)
    assert list(videos) == ["Aaron_Eckhart/0", "Aaron_Eckhart/1", "Abel_Pacheco/4"]
    assert [p.name for p in videos["Aaron_Eckhart/0"]] == ["0.9.jpg", "0.10.jpg", "0.100.jpg"]
    assert frame_number("Aaron_Eckhart/0/0.100.jpg") == 100


def test_list_video_frames_rejects_foreign_frame_name(tmp_path):
    root = tmp_path / "frame_images_DB"
    touch(root / "Aaron_Eckhart" / "0" / "3.12.jpg")
    with pytest.raises(ValueError, match=r"3\.12\.jpg.*'0\.<frame>\.jpg'"):
        list_video_frames(root)


def test_read_labeled_faces_real_format(tmp_path):
    path = tmp_path / "Richard_Gere.labeled_faces.txt"
    path.write_text(
        "Richard_Gere\\3\\3.619.jpg,0,260,164,131,131,0.0,1\n"
        "Richard_Gere\\3\\3.618.jpg,0,262,165,132,132,0.0,1\n"
        "Richard_Gere\\5\\5.1.jpg,0,100,80,40,50,0.0,1\n"
    )
    boxes = read_labeled_faces(path)
    assert sorted(boxes) == ["Richard_Gere/3", "Richard_Gere/5"]
    first = boxes["Richard_Gere/3"][0]
    assert (first.frame, first.path) == (618, "Richard_Gere/3/3.618.jpg")
    # (x, y) is the centre: a 132 x 132 box around (262, 165)
    assert first.corners == (196.0, 99.0, 328.0, 231.0)
    assert boxes["Richard_Gere/5"][0].corners == (80.0, 55.0, 120.0, 105.0)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("Richard_Gere\\3\\3.618.jpg,0,262,165\n", "fields"),
        ("Richard_Gere\\3\\3.618.jpg,0,262,x,132,132,0.0,1\n", "must be numbers"),
        ("Tom_Hanks\\3\\3.618.jpg,0,262,165,132,132,0.0,1\n", "belongs to 'Tom_Hanks'"),
        ("Richard_Gere\\3\\4.618.jpg,0,262,165,132,132,0.0,1\n", "video.frame.jpg"),
        ("Richard_Gere\\3\\3.618.jpg,0,262,165,0,132,0.0,1\n", "positive"),
    ],
)
def test_read_labeled_faces_errors_name_file_and_line(tmp_path, bad, message):
    path = tmp_path / "Richard_Gere.labeled_faces.txt"
    path.write_text("Richard_Gere\\3\\3.617.jpg,0,262,165,132,132,0.0,1\n" + bad)
    with pytest.raises(ValueError, match=rf"Richard_Gere\.labeled_faces\.txt:2: .*{message}"):
        read_labeled_faces(path)


def test_read_splits_header_and_spaces(tmp_path):
    path = tmp_path / "splits.txt"
    path.write_text(
        "split number, pair number, first name, second name, is same:\n"
        "1, 1, Aaron_Eckhart/0, Aaron_Eckhart/1, 1\n"
        "1,2,Aaron_Eckhart/0,Abel_Pacheco/4,0\n"
        "\n"
        "2, 1, Abel_Pacheco/4 , Aaron_Eckhart/1 , 0\n"
    )
    pairs = read_splits(path)
    assert [(p.split, p.index, p.video1, p.video2, p.same) for p in pairs] == [
        (1, 1, "Aaron_Eckhart/0", "Aaron_Eckhart/1", True),
        (1, 2, "Aaron_Eckhart/0", "Abel_Pacheco/4", False),
        (2, 1, "Abel_Pacheco/4", "Aaron_Eckhart/1", False),
    ]


def test_read_splits_seven_column_variant(tmp_path):
    path = tmp_path / "splits.txt"
    path.write_text(
        "split, pair, first name, second name, first video, second video, is same\n"
        "3, 7, Aaron_Eckhart, Abel_Pacheco, 0, Abel_Pacheco/4, 0\n"
    )
    (pair,) = read_splits(path)
    assert (pair.split, pair.index, pair.video1, pair.video2, pair.same) == (
        3,
        7,
        "Aaron_Eckhart/0",
        "Abel_Pacheco/4",
        False,
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        ("1, 2, Aaron_Eckhart/0, Abel_Pacheco/4\n", "4 fields"),
        ("1, 2, Aaron_Eckhart/0, Abel_Pacheco/4, yes\n", "is_same must be 0 or 1"),
        ("1, 2, Aaron_Eckhart, Abel_Pacheco/4, 0\n", "not 'name/video'"),
        ("x, 2, Aaron_Eckhart/0, Abel_Pacheco/4, 0\n", "integers"),
    ],
)
def test_read_splits_errors_name_file_and_line(tmp_path, bad, message):
    path = tmp_path / "splits.txt"
    path.write_text(
        "split number, pair number, first name, second name, is same:\n"
        "1, 1, Aaron_Eckhart/0, Aaron_Eckhart/1, 1\n" + bad
    )
    with pytest.raises(ValueError, match=rf"splits\.txt:3: .*{message}"):
        read_splits(path)
