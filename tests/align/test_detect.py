import shutil

import numpy as np
import pytest
from PIL import Image

from sphere.align.detect import TEMPLATE_LAYOUT, detect_folder, with_fallback
from sphere.align.mtcnn import Detection, fallback_landmarks, normalise_landmarks

LFW_SAMPLE = ["Kofi_Annan/Kofi_Annan_0032.jpg", "Ricky_Martin/Ricky_Martin_0002.jpg", "Jason_Kidd/Jason_Kidd_0002.jpg"]


class StubDetector:
    """Finds a face (fixed landmarks) in every image whose top-left pixel is not black."""

    device = "cpu"
    points = np.array([[10, 12], [22, 12], [16, 18], [11, 24], [21, 24]], np.float32)

    def detect(self, images):
        return [Detection(np.zeros(4), 1.0, self.points) if im[0, 0].any() else None for im in images]


def _image(path, shape, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((*shape, 3), value, np.uint8)).save(path)


def test_fallback_uses_the_mean_layout_of_detected_faces(tmp_path):
    _image(tmp_path / "a" / "1.png", (32, 32), 200)
    _image(tmp_path / "a" / "2.png", (40, 60), 0)  # no face: centred 40x40 square of a wide image
    landmarks, outcome, summary = detect_folder(tmp_path, detector=StubDetector(), chunk=1, progress=False)
    assert outcome == {"a/1.png": "detected", "a/2.png": "fallback"}
    assert (summary.images, summary.detected, summary.fallback, summary.fallback_paths) == (2, 1, 1, ["a/2.png"])
    np.testing.assert_allclose(landmarks["a/1.png"], StubDetector.points)
    layout = normalise_landmarks(StubDetector.points, 32, 32)
    np.testing.assert_allclose(normalise_landmarks(landmarks["a/2.png"], 40, 60), layout, atol=1e-5)
    assert landmarks["a/2.png"][:, 0].min() > 10  # inside the centred square, not at the image's left edge


def test_nothing_detected_falls_back_to_the_template_layout(tmp_path):
    _image(tmp_path / "p" / "blank.png", (112, 96), 0)
    landmarks, outcome, summary = detect_folder(tmp_path, detector=StubDetector(), progress=False)
    assert outcome == {"p/blank.png": "fallback"} and summary.rate == 0
    np.testing.assert_allclose(normalise_landmarks(landmarks["p/blank.png"], 112, 96), TEMPLATE_LAYOUT, atol=1e-5)


def test_needs_weights_or_detector(tmp_path):
    _image(tmp_path / "p" / "x.png", (16, 16), 9)
    with pytest.raises(ValueError, match="weights"):
        detect_folder(tmp_path, progress=False)


def test_real_mtcnn_on_lfw_faces_and_a_blank_image(shared_data, tmp_path):
    weights = shared_data / "models" / "mtcnn"
    if not (weights / "onet.pt").is_file():
        pytest.skip(f"MTCNN weights not found at {weights}")
    for rel in LFW_SAMPLE:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / "lfw-deepfunneled-150" / "lfw" / rel, tmp_path / rel)
    _image(tmp_path / "Nobody" / "Nobody_0001.jpg", (150, 150), 127)
    landmarks, outcome, summary = detect_folder(tmp_path, weights, device="cpu", chunk=2, progress=False)
    assert {p: outcome[p] for p in LFW_SAMPLE} == dict.fromkeys(LFW_SAMPLE, "detected")
    assert outcome["Nobody/Nobody_0001.jpg"] == "fallback" and summary.fallback == 1
    for rel in LFW_SAMPLE:  # deep-funneled 150x150 crops: eyes left of right, above the mouth, near the centre
        lm = landmarks[rel]
        assert lm[0, 0] < lm[1, 0] and lm[:2, 1].max() < lm[3:, 1].min()
        assert 40 < lm[2, 0] < 110 and 40 < lm[2, 1] < 110


def test_with_fallback_on_images_of_other_shapes():
    """The rule `sphere evaluate --align mtcnn` shares with detect_folder, on a list of images."""
    shapes = [(120, 100), (90, 150)]
    points = fallback_landmarks(120, 100, TEMPLATE_LAYOUT + 0.01)  # a face of a layout near the template's
    got = with_fallback(shapes, [points, None])
    np.testing.assert_array_equal(got[0], points)
    # the second image: the first one's layout, in its own centred square
    np.testing.assert_allclose(got[1], fallback_landmarks(90, 150, TEMPLATE_LAYOUT + 0.01), atol=1e-4)
    alone = with_fallback(shapes[1:], [None])
    np.testing.assert_allclose(alone[0], fallback_landmarks(90, 150, TEMPLATE_LAYOUT), atol=1e-6)
