import numpy as np
import torch
import torch.nn.functional as F

from sphere.align.mtcnn_boxes import crop_resize, integral_image, nms, regress, square


def test_nms_keeps_best_of_overlapping_and_separates_groups():
    boxes = np.array([[0, 0, 9, 9], [1, 1, 10, 10], [50, 50, 59, 59], [0, 0, 9, 9]], float)
    scores = np.array([0.9, 0.95, 0.5, 0.8])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    # the last box belongs to another image: it survives
    assert sorted(nms(boxes, scores, 0.5, groups=np.array([0, 0, 0, 1])).tolist()) == [1, 2, 3]


def test_nms_min_mode_suppresses_contained_box():
    boxes = np.array([[0, 0, 99, 99], [10, 10, 29, 29]], float)  # small box inside the big one
    scores = np.array([0.9, 0.8])
    assert nms(boxes, scores, 0.7, "union").tolist() == [0, 1]  # IoU 0.04
    assert nms(boxes, scores, 0.7, "min").tolist() == [0]  # overlap / smaller area = 1


def test_regress_and_square():
    boxes = np.array([[10, 20, 29, 59]], float)  # 20 wide, 40 high (inclusive)
    out = regress(boxes, np.array([[0.1, -0.1, 0.0, 0.5]]))
    np.testing.assert_allclose(out, [[12, 16, 29, 79]])
    sq = square(np.array([[10, 20, 30, 60]], float))
    np.testing.assert_allclose(sq, [[0, 20, 40, 60]])


def test_crop_resize_is_exact_area_resampling_with_zero_outside():
    torch.manual_seed(0)
    img = torch.randint(0, 256, (3, 40, 50)).float()
    # 1-based inclusive boxes: one inside (16 px -> 8), one hanging over the top-left corner
    boxes = np.array([[5, 7, 20, 22], [-3, -3, 12, 12]], float)
    crops = crop_resize(integral_image(img), boxes, 8)
    inside = F.interpolate(img[None, :, 6:22, 4:20], size=(8, 8), mode="area")[0]
    padded = F.pad(img, (4, 0, 4, 0))[:, :16, :16]
    torch.testing.assert_close(crops[0], inside, atol=1e-3, rtol=0)
    torch.testing.assert_close(crops[1], F.interpolate(padded[None], size=(8, 8), mode="area")[0], atol=1e-3, rtol=0)
