"""Crops for `sphere evaluate`: aligned images fitted to the model's aspect, and the MTCNN fallback."""

from types import SimpleNamespace

import numpy as np
import pytest

from sphere.align.detect import TEMPLATE_LAYOUT
from sphere.align.mtcnn import fallback_landmarks
from sphere.align.similarity import TEMPLATE_112x96
from sphere.evaluate.faces import fit, landmarks_or_fallback, resize

# insightface python-package/insightface/utils/face_align.py, arcface_dst: its 112x112 template
ARCFACE_112x112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
)


def test_the_insightface_template_is_the_sphereface_one_shifted_8_px_right():
    np.testing.assert_allclose(ARCFACE_112x112, TEMPLATE_112x96 + [8.0, 0.0], atol=1e-9)


@pytest.fixture
def crop():
    return np.random.default_rng(0).integers(0, 256, (112, 96, 3), dtype=np.uint8)


def test_a_112x112_crop_gives_its_central_112x96(crop):
    wide = np.pad(crop, ((0, 0), (8, 8), (0, 0)))
    np.testing.assert_array_equal(fit(wide, (112, 96)), crop)
    np.testing.assert_array_equal(fit(wide, (56, 48)), resize(crop, (56, 48)))


def test_a_tall_crop_keeps_its_middle_rows(crop):
    tall = np.pad(crop, ((10, 10), (0, 0), (0, 0)))
    np.testing.assert_array_equal(fit(tall, (112, 96)), crop)


def test_a_crop_of_the_models_aspect_is_only_resized(crop):
    np.testing.assert_array_equal(fit(crop, (56, 48)), resize(crop, (56, 48)))
    assert fit(crop, (112, 96)) is crop


def test_an_image_without_a_face_gets_the_dags_fallback():
    images = [np.zeros((120, 100, 3), np.uint8), np.zeros((90, 150, 3), np.uint8)]
    points = fallback_landmarks(120, 100, TEMPLATE_LAYOUT + 0.01)  # a face of a layout near the template's
    got = landmarks_or_fallback(images, [SimpleNamespace(landmarks=points), None])
    np.testing.assert_array_equal(got[0], points)
    # the second image: the first one's layout, in its own centred square
    np.testing.assert_allclose(got[1], fallback_landmarks(90, 150, TEMPLATE_LAYOUT + 0.01), atol=1e-4)
    alone = landmarks_or_fallback(images[1:], [None])
    np.testing.assert_allclose(alone[0], fallback_landmarks(90, 150, TEMPLATE_LAYOUT), atol=1e-6)
