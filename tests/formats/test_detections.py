import pytest

from sphere.formats.detections import read_detections, write_detections


def test_round_trip(tmp_path):
    outcome = {"a/1.jpg": "detected", "b/2.jpg": "fallback"}
    write_detections(tmp_path / "d.csv", outcome)
    assert read_detections(tmp_path / "d.csv") == outcome


def test_bad_outcome_names_the_line(tmp_path):
    (tmp_path / "d.csv").write_text("path,detection\na/1.jpg,detected\nb/2.jpg,maybe\n")
    with pytest.raises(ValueError, match=r"d.csv:3: unknown detection outcome 'maybe'"):
        read_detections(tmp_path / "d.csv")
    (tmp_path / "e.csv").write_text("file,status\n")
    with pytest.raises(ValueError, match="e.csv:1: expected columns"):
        read_detections(tmp_path / "e.csv")
