import numpy as np
import pytest
import torch
from PIL import Image

from sphere.align.mtcnn import (
    MTCNN,
    Detection,
    fallback_landmarks,
    normalise_landmarks,
    pyramid_scales,
    subject_priority,
)
from sphere.align.mtcnn_nets import ONet, PNet, RNet, load_nets

LFW_SAMPLE = [
    "Kofi_Annan/Kofi_Annan_0032.jpg",
    "Ricky_Martin/Ricky_Martin_0002.jpg",
    "Jason_Kidd/Jason_Kidd_0002.jpg",
    "Jim_Harrick/Jim_Harrick_0001.jpg",
]


def _weights(shared_data):
    path = shared_data / "models" / "mtcnn"
    if not (path / "onet.pt").is_file():
        pytest.skip(f"MTCNN weights not found at {path}")
    return path


def test_nets_shapes():
    with torch.inference_mode():
        prob, reg = PNet()(torch.zeros(2, 3, 30, 40))
        assert prob.shape == (2, 10, 15) and reg.shape == (2, 4, 10, 15)
        assert [t.shape for t in RNet()(torch.zeros(5, 3, 24, 24))] == [(5,), (5, 4)]
        assert [t.shape for t in ONet()(torch.zeros(5, 3, 48, 48))] == [(5,), (5, 4), (5, 10)]


def test_pyramid_scales():
    scales = pyramid_scales(150, 200, 20, 0.709)
    assert scales[0] == pytest.approx(0.6)
    assert 150 * scales[-1] >= 12 > 150 * scales[-1] * 0.709


def test_weights_load_strictly(shared_data):
    nets = load_nets(_weights(shared_data))
    assert all(not n.training for n in nets)


def test_wrong_weights_name_the_file(tmp_path):
    torch.save(RNet().state_dict(), tmp_path / "pnet.pt")
    with pytest.raises(ValueError, match="pnet.pt"):
        load_nets(tmp_path)


def test_fallback_landmarks_round_trip():
    mean = np.array([[0.3, 0.4], [0.7, 0.4], [0.5, 0.6], [0.35, 0.8], [0.65, 0.8]])
    pts = fallback_landmarks(100, 200, mean)  # wide image: centred 100x100 square starts at x=50
    np.testing.assert_allclose(pts[0], [50 + 30 - 0.5, 40 - 0.5])
    np.testing.assert_allclose(normalise_landmarks(pts, 100, 200), mean, atol=1e-6)
    with pytest.raises(ValueError):
        fallback_landmarks(10, 10, np.zeros((4, 2)))


def _check_geometry(det: Detection, h: int, w: int):
    lm = det.landmarks
    assert lm.shape == (5, 2) and det.box.shape == (4,)
    assert lm[0, 0] < lm[1, 0] and lm[3, 0] < lm[4, 0]  # left eye/mouth left of right ones
    assert max(lm[0, 1], lm[1, 1]) < lm[2, 1] < min(lm[3, 1], lm[4, 1])  # eyes above nose above mouth
    x1, y1, x2, y2 = det.box
    assert (lm[:, 0] > x1).all() and (lm[:, 0] < x2).all() and (lm[:, 1] > y1).all() and (lm[:, 1] < y2).all()
    # deep-funneled LFW crops: subject centred, inter-ocular distance a sizeable fraction of the image
    assert abs((lm[0, 0] + lm[1, 0]) / 2 - w / 2) < 0.15 * w
    assert 0.2 * w < lm[1, 0] - lm[0, 0] < 0.45 * w


def test_detects_real_lfw_faces(shared_data):
    root = shared_data / "lfw-deepfunneled-150" / "lfw"
    files = [root / f for f in LFW_SAMPLE]
    if not all(f.is_file() for f in files):
        pytest.skip(f"LFW images not found under {root}")
    images = [np.asarray(Image.open(f).convert("RGB")) for f in files]
    det = MTCNN(_weights(shared_data))
    found = det.detect(images)
    for img, d in zip(images, found):
        assert d is not None and d.score > 0.9
        _check_geometry(d, *img.shape[:2])
    # batching does not change results; a mirrored face swaps left and right
    single = det.detect(images[:1])[0]
    np.testing.assert_allclose(single.landmarks, found[0].landmarks, atol=1e-3)
    mirrored = det.detect([np.ascontiguousarray(images[0][:, ::-1])])[0]
    w = images[0].shape[1]
    np.testing.assert_allclose(w - 1 - mirrored.landmarks[[1, 0, 2, 4, 3], 0], found[0].landmarks[:, 0], atol=3)


def test_blank_image_has_no_face_and_bad_input_is_refused(shared_data):
    det = MTCNN(_weights(shared_data))
    assert det.detect([np.full((80, 60, 3), 128, np.uint8)]) == [None]
    with pytest.raises(ValueError, match="image 0"):
        det.detect([np.zeros((10, 10), np.uint8)])


def test_subject_priority_prefers_large_central_face():
    central = Detection(np.array([40, 40, 110, 120], np.float32), 0.95, np.zeros((5, 2), np.float32))
    corner = Detection(np.array([0, 0, 30, 35], np.float32), 0.999, np.zeros((5, 2), np.float32))
    assert np.argmax(subject_priority([corner, central], 150, 150)) == 1


def test_picks_the_subject_among_several_real_faces(shared_data):
    root = shared_data / "lfw-deepfunneled-150" / "lfw"
    files = [root / LFW_SAMPLE[0], root / LFW_SAMPLE[1]]
    if not all(f.is_file() for f in files):
        pytest.skip(f"LFW images not found under {root}")
    canvas = Image.new("RGB", (300, 300), (128, 128, 128))
    canvas.paste(Image.open(files[0]).convert("RGB"), (75, 75))  # the subject, centred
    canvas.paste(Image.open(files[1]).convert("RGB").resize((75, 75)), (0, 0))  # a bystander in the corner
    image = np.asarray(canvas)
    det = MTCNN(_weights(shared_data))
    faces = det.detect_all([image])[0]
    assert len(faces) == 2
    subject = det.detect([image])[0]
    assert subject is not None
    assert 75 < subject.landmarks[:, 0].mean() < 225 and 75 < subject.landmarks[:, 1].mean() < 225
    _check_geometry(Detection(subject.box - 75, subject.score, subject.landmarks - 75), 150, 150)
