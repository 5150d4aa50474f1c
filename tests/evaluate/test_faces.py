"""Crops for `sphere evaluate`: aligned images fitted to the model's aspect."""

import numpy as np
import pytest

from sphere.evaluate.faces import fit, resize


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
