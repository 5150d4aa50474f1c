import numpy as np
import pytest

from sphere.align.similarity import (
    TEMPLATE_112x96,
    align_face,
    apply_transform,
    similarity_transform,
    template_for,
)


def exact_similarity(scale: float, angle: float, shift: tuple[float, float]) -> np.ndarray:
    c, s = scale * np.cos(angle), scale * np.sin(angle)
    return np.array([[c, -s, shift[0]], [s, c, shift[1]]])


@pytest.mark.parametrize("scale,angle,shift", [(1.0, 0.0, (0, 0)), (2.3, 0.4, (40, -7)), (0.6, -1.2, (-3, 90))])
def test_landmarks_differing_by_a_similarity_land_on_the_template(scale, angle, shift):
    # Photo landmarks = inverse transform of the template, so the fitted transform must undo it exactly.
    forward = exact_similarity(scale, angle, shift)
    full = np.vstack([forward, [0, 0, 1]])
    photo_points = apply_transform(np.linalg.inv(full)[:2], TEMPLATE_112x96)
    fitted = similarity_transform(photo_points, TEMPLATE_112x96)
    assert np.abs(apply_transform(fitted, photo_points) - TEMPLATE_112x96).max() < 0.01


def test_fit_is_least_squares_for_noisy_points():
    rng = np.random.default_rng(0)
    src = TEMPLATE_112x96 + rng.normal(0, 2, (5, 2))
    fitted = similarity_transform(src, TEMPLATE_112x96)
    residual = np.sum((apply_transform(fitted, src) - TEMPLATE_112x96) ** 2)
    for _ in range(50):  # no nearby similarity does better
        a, b = fitted[0, 0] + rng.normal(0, 1e-3), fitted[1, 0] + rng.normal(0, 1e-3)
        other = np.array([[a, -b, fitted[0, 2] + rng.normal(0, 0.05)], [b, a, fitted[1, 2] + rng.normal(0, 0.05)]])
        assert np.sum((apply_transform(other, src) - TEMPLATE_112x96) ** 2) >= residual - 1e-9


def test_template_scales_with_crop():
    assert np.allclose(template_for(56, 48), TEMPLATE_112x96 / 2)
    assert np.allclose(template_for(112, 96), TEMPLATE_112x96)


def test_warp_moves_a_marked_pixel_to_the_template_point():
    image = np.zeros((200, 220, 3), np.uint8)
    shift = np.array([50.0, 30.0])
    landmarks = TEMPLATE_112x96 + shift  # a pure translation of the template
    x, y = np.round(landmarks[2]).astype(int)
    image[y - 1 : y + 2, x - 1 : x + 2] = 255
    crop = align_face(image, landmarks, (112, 96))
    assert crop.shape == (112, 96, 3)
    peak = np.unravel_index(crop[..., 0].argmax(), crop.shape[:2])
    assert abs(peak[1] - TEMPLATE_112x96[2, 0]) <= 1.5 and abs(peak[0] - TEMPLATE_112x96[2, 1]) <= 1.5
