import numpy as np
import pytest

from sphere.align.similarity import (
    INSIGHTFACE_112x112,
    TEMPLATE_112x96,
    align_face,
    apply_transform,
    cp2tform_similarity,
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


def cp2tform_by_complex_numbers(landmarks: np.ndarray, template: np.ndarray) -> np.ndarray:
    """MATLAB cp2tform 'similarity', re-derived with points as complex numbers: image z = a u + b (u the
    template) fitted by least squares in image space, inverted; the reflected fit z = a conj(u) + b likewise;
    the one whose crop-space residual is smaller wins. Returns the crop positions of the landmarks."""
    z = landmarks[:, 0] + 1j * landmarks[:, 1]
    u = template[:, 0] + 1j * template[:, 1]
    candidates = []
    for source in (u, np.conj(u)):
        a, b = np.linalg.lstsq(np.stack([source, np.ones_like(source)], 1), z, rcond=None)[0]
        crop = (z - b) / a
        candidates.append(crop if source is u else np.conj(crop))
    best = min(candidates, key=lambda c: np.linalg.norm(c - u))
    return np.stack([best.real, best.imag], 1)


def constructed_face(seed: int, scale: float, angle: float, noise: float, mirrored: bool = False):
    """Image landmarks: the 0-based template moved by a known similarity (optionally mirrored), plus noise."""
    rng = np.random.default_rng(seed)
    template = template_for(112, 96)
    c, s = scale * np.cos(angle), scale * np.sin(angle)
    points = template @ np.array([[c, s], [-s, c]]) + [60.0, 40.0]
    if mirrored:
        points[:, 0] = 300 - points[:, 0]
    return points + rng.normal(0, noise, points.shape), template


@pytest.mark.parametrize(
    "seed,scale,angle,noise,mirrored",
    [(0, 2.5, 0.3, 3.0, False), (1, 0.7, -0.5, 1.5, False), (2, 1.8, 0.1, 2.0, True), (3, 1.2, 2.0, 0.0, False)],
)
def test_cp2tform_steps_to_a_twentieth_of_a_pixel(seed, scale, angle, noise, mirrored):
    landmarks, template = constructed_face(seed, scale, angle, noise, mirrored)
    ours = apply_transform(cp2tform_similarity(landmarks, template), landmarks)
    assert np.abs(ours - cp2tform_by_complex_numbers(landmarks, template)).max() < 0.05


def test_image_space_fit_differs_from_a_crop_space_fit():
    # With noisy landmarks on a large face, fitting template -> image and inverting is not the same
    # least-squares problem as fitting image -> template: the released crops follow the former.
    landmarks, template = constructed_face(0, 2.5, 0.3, 5.0)
    released = apply_transform(cp2tform_similarity(landmarks, template), landmarks)
    crop_space = apply_transform(similarity_transform(landmarks, template), landmarks)
    assert np.abs(released - crop_space).max() > 0.1  # twice the tolerance of the cp2tform test


def test_mirrored_landmarks_take_the_reflected_fit():
    landmarks, template = constructed_face(2, 1.8, 0.1, 0.0, mirrored=True)
    matrix = cp2tform_similarity(landmarks, template)
    assert np.linalg.det(matrix[:, :2]) < 0
    assert np.abs(apply_transform(matrix, landmarks) - template).max() < 1e-9


def test_template_is_matlab_one_based_shifted_to_zero_based():
    assert np.allclose(template_for(112, 96), TEMPLATE_112x96 - 1)


def blob_image(points: np.ndarray, shape=(260, 240), sigma=3.0) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    image = sum(np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma**2)) for x, y in points)
    return np.repeat((255 * np.clip(image, 0, 1))[..., None], 3, 2).astype(np.uint8)


def centroids(crop: np.ndarray, expected: np.ndarray, radius: int = 5) -> np.ndarray:
    plane = crop[..., 0].astype(np.float64)
    found = []
    for x, y in expected:
        x0, y0 = int(round(x)), int(round(y))
        window = plane[y0 - radius : y0 + radius + 1, x0 - radius : x0 + radius + 1]
        yy, xx = np.mgrid[y0 - radius : y0 + radius + 1, x0 - radius : x0 + radius + 1]
        found.append([(window * xx).sum() / window.sum(), (window * yy).sum() / window.sum()])
    return np.array(found)


@pytest.mark.parametrize("size", [(112, 96), (56, 48)])
def test_crop_puts_landmark_blobs_on_the_template_pixels(size):
    # A face 2x larger than the crop, turned by 0.3 rad: blobs drawn at its landmarks must land on the
    # template's 0-based pixel positions (checks the pixel-centre convention of the warp, not only the fit).
    landmarks, _ = constructed_face(4, 2.0, 0.3, 0.0)
    crop = align_face(blob_image(landmarks, sigma=2.0 * 112 / size[0]), landmarks, size)
    assert crop.shape == (*size, 3)
    template = template_for(*size)
    assert np.abs(centroids(crop, template) - template).max() < 0.05


def test_the_insightface_template_is_the_sphereface_one_shifted_8_px_right():
    # insightface python-package/insightface/utils/face_align.py, arcface_dst
    arcface_dst = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
    np.testing.assert_allclose(INSIGHTFACE_112x112, arcface_dst, atol=1e-9)
    np.testing.assert_allclose(INSIGHTFACE_112x112 - TEMPLATE_112x96, [[8.0, 0.0]] * 5, atol=1e-9)
