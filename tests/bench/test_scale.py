"""`sphere bench scale` at a tiny size: the figures it reports come from a real RecordIO -> store -> training run."""

import json

import pytest

from sphere.bench.scale import bench_scale, synthetic_faces, write_results
from sphere.errors import UserError
from sphere.formats.recordio import RecordIOReader, write_insightface_set


def test_synthetic_faces_are_112x112_jpegs_grouped_by_class(tmp_path):
    faces = list(synthetic_faces(10, 4))
    assert [label for label, _ in faces] == [0, 0, 0, 1, 1, 1, 2, 2, 3, 3]
    assert len({jpeg for _, jpeg in faces}) == 10  # every image its own
    write_insightface_set(tmp_path / "t.rec", tmp_path / "t.idx", iter(faces))
    with RecordIOReader(tmp_path / "t.rec", tmp_path / "t.idx") as reader:
        assert reader.image(1).shape == (112, 112, 3)


@pytest.mark.slow
def test_tiny_bench_runs_every_stage_and_cleans_up(tmp_path):
    result = bench_scale(images=600, identities=12, steps=2, batch=4, workers=2, threads=1, scratch=tmp_path)
    assert result["images"] == 600 and result["store_shape"] == [600, 112, 96, 3]
    assert result["store_bytes"] > 600 * 112 * 96 * 3  # the faces plus the index
    assert result["disk_used_bytes"] == result["store_bytes"] + result["recordio_bytes"]
    assert 0 < result["store_build_peak_rss_mb"] < 2048 and 0 < result["train_peak_rss_mb"] < 2048
    assert list(tmp_path.iterdir()) == []  # the scratch folder is gone
    json_path, md_path = write_results(result, tmp_path / "out" / "scale-cpu")
    assert json.loads(json_path.read_text())["images"] == 600
    assert "| images / identities | 600 / 12 |" in md_path.read_text()


def test_too_little_disk_is_refused_before_writing(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda path: type("U", (), {"free": 10**6})())
    with pytest.raises(UserError, match="GB free, about"):
        bench_scale(images=1000, identities=10, scratch=tmp_path)
    assert list(tmp_path.iterdir()) == []
