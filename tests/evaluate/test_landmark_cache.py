"""Issue 24 item 5: MTCNN landmarks of `sphere evaluate --align mtcnn` are cached per image, keyed by the
file's content and the detector's settings, so a second run over the same folder detects nothing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import sphere.align.mtcnn
from sphere.align.similarity import template_for
from sphere.evaluate.faces import embed_files
from sphere.evaluate.models import Preprocess


class Detector:
    """Stands in for MTCNN: the template's landmarks for every image but the black ones (no face)."""

    detected: list[int] = []

    def __init__(self, weights, device, min_face, thresholds, factor) -> None:
        self.min_face = min_face

    def detect(self, images):
        Detector.detected.append(len(images))
        return [None if im.max() == 0 else SimpleNamespace(landmarks=template_for(*im.shape[:2])) for im in images]


class MeanColour:
    preprocess = Preprocess((28, 24))

    def embed(self, images):
        f = images.reshape(len(images), -1, 3).mean(1)
        return f, f


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sphere.align.mtcnn, "MTCNN", Detector)
    Detector.detected = []
    rng = np.random.default_rng(0)
    for k in range(3):
        image = rng.integers(0, 255, (40, 36, 3), dtype=np.uint8) if k else np.zeros((40, 36, 3), np.uint8)
        Image.fromarray(image).save(tmp_path / f"{k}.png")
    (tmp_path / "w").mkdir()
    for name in ("pnet.pt", "rnet.pt", "onet.pt"):
        (tmp_path / "w" / name).write_bytes(name.encode())
    return tmp_path, ["0.png", "1.png", "2.png"]


def run(root, names, cache, min_face=20):
    return embed_files(MeanColour(), root, names, "mtcnn", mtcnn_weights=root / "w", min_face=min_face, cache=cache)


def test_a_second_run_detects_nothing_and_gives_the_same_crops(folder, tmp_path, capsys):
    root, names = folder
    face, _, first = run(root, names, tmp_path / "cache")
    assert Detector.detected == [3] and first["mtcnn_detected"] == 3 and first["mtcnn_fallback"] == 1
    assert f"MTCNN landmark cache: {tmp_path / 'cache'}" in capsys.readouterr().err
    again, _, second = run(root, names, tmp_path / "cache")
    assert Detector.detected == [3] and second["mtcnn_cached"] == 3 and second["mtcnn_detected"] == 0
    assert second["mtcnn_fallback"] == 1  # a cached "no face" is still a fallback
    np.testing.assert_array_equal(face, again)


def test_the_key_is_the_content_and_the_settings(folder, tmp_path):
    root, names = folder
    run(root, names, tmp_path / "cache")
    run(root, names, tmp_path / "cache", min_face=40)  # other settings: detected again
    assert Detector.detected == [3, 3]
    Image.fromarray(np.full((40, 36, 3), 7, np.uint8)).save(root / "1.png")  # new content, same name
    _, _, record = run(root, names, tmp_path / "cache")
    assert Detector.detected == [3, 3, 1] and record["mtcnn_cached"] == 2
    (root / "w" / "pnet.pt").write_bytes(b"other weights")
    run(root, names, tmp_path / "cache")
    assert Detector.detected[-1] == 3


def test_missing_weights_are_named(folder, tmp_path):
    from sphere.errors import MissingFile

    root, names = folder
    (root / "w" / "onet.pt").unlink()
    with pytest.raises(MissingFile, match=r"onet.pt: MTCNN weight file missing"):
        run(root, names, tmp_path / "cache")
