import numpy as np
import pytest
from PIL import Image

from sphere.align.store_builder import align_with_landmarks
from sphere.formats.detections import write_detections
from sphere.formats.landmarks import write_landmarks
from sphere.store.io import read_store

POINTS = np.array([[20, 25], [44, 25], [32, 36], [22, 48], [42, 48]], np.float32)


def _roots(tmp_path):
    files = {"wild/0007/a.jpg": 10, "wild/0009/b.jpg": 20, "crops/0007/c.jpg": 30, "crops/0008/d.jpg": 40}
    for rel, value in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((64, 64, 3), value, np.uint8)).save(tmp_path / rel)
    return [tmp_path / "wild", tmp_path / "crops"], {rel: POINTS for rel in files}


def test_two_roots_one_identity_space_with_outcomes(tmp_path):
    roots, landmarks = _roots(tmp_path)
    write_landmarks(tmp_path / "lm.txt", landmarks)
    write_detections(tmp_path / "det.csv", {p: "fallback" if p.endswith("b.jpg") else "detected" for p in landmarks})
    counts = align_with_landmarks(
        roots, tmp_path / "lm.txt", tmp_path / "store", (28, 24), progress=False, detections=tmp_path / "det.csv"
    )
    index = read_store(tmp_path / "store").index
    assert index["path"].tolist() == ["crops/0007/c.jpg", "crops/0008/d.jpg", "wild/0007/a.jpg", "wild/0009/b.jpg"]
    assert index["identity"].tolist() == ["0007", "0008", "0007", "0009"]
    assert index["label"].tolist() == [0, 1, 0, 2]
    assert index["detection"].tolist() == ["detected", "detected", "detected", "fallback"]
    assert counts == {"images": 4, "identities": 3, "dropped_images": 0, "detected": 3, "fallback": 1}

    align_with_landmarks(roots, tmp_path / "lm.txt", tmp_path / "min2", (28, 24), progress=False, min_images=2)
    index = read_store(tmp_path / "min2").index
    assert index["identity"].tolist() == ["0007", "0007"] and set(index["detection"]) == {"given"}
    images = read_store(tmp_path / "min2").images
    assert images.shape == (2, 28, 24, 3) and images[0, 14, 12, 0] == 30 and images[1, 14, 12, 0] == 10


def test_missing_outcome_is_an_error(tmp_path):
    roots, landmarks = _roots(tmp_path)
    write_landmarks(tmp_path / "lm.txt", landmarks)
    write_detections(tmp_path / "det.csv", {"wild/0007/a.jpg": "detected"})
    with pytest.raises(ValueError, match="det.csv: no detection outcome for 3"):
        align_with_landmarks(
            roots, tmp_path / "lm.txt", tmp_path / "store", (28, 24), progress=False, detections=tmp_path / "det.csv"
        )


def test_store_from_recordio_cuts_the_112x112_faces_and_keeps_record_classes(tmp_path):
    """insightface faces_webface_112x112 layout -> 112x96 store, chunked, labels from the records."""
    import io

    from sphere.align.store_builder import store_from_recordio
    from sphere.evaluate.faces import fit
    from sphere.formats.recordio import write_insightface_set

    rng = np.random.default_rng(0)
    faces = [rng.integers(0, 256, (112, 112, 3), dtype=np.uint8) for _ in range(7)]
    classes = [3, 3, 5, 5, 5, 9, 9]  # unused class numbers in between: labels become 0..2

    def encoded():
        for label, face in zip(classes, faces):
            buffer = io.BytesIO()
            Image.fromarray(face).save(buffer, "PNG")  # lossless, so the crop can be checked exactly
            yield label, buffer.getvalue()

    write_insightface_set(tmp_path / "train.rec", tmp_path / "train.idx", encoded())
    counts = store_from_recordio(tmp_path / "train.rec", tmp_path / "train.idx", tmp_path / "s", chunk=3, workers=2)
    assert counts == {"images": 7, "identities": 3, "given": 7}
    store = read_store(tmp_path / "s")
    assert store.images.shape == (7, 112, 96, 3)
    np.testing.assert_array_equal(store.images[4], fit(faces[4], (112, 96)))
    np.testing.assert_array_equal(store.images[4], faces[4][:, 8:104])  # 112x96 is the central columns
    assert store.index["label"].tolist() == [0, 0, 1, 1, 1, 2, 2]
    assert store.index["identity"].tolist()[:3] == ["000003", "000003", "000005"]
    assert store.index["path"].iloc[0] == "000003/1" and set(store.index["detection"]) == {"given"}


def test_store_from_recordio_leaves_out_excluded_and_small_classes(tmp_path):
    """The folder stores' identity filters on a RecordIO set: --exclude by class number (padded as the index
    writes it, or plain) and --min-images; labels stay contiguous over what is kept."""
    import io

    from sphere.align.store_builder import store_from_recordio
    from sphere.errors import InputError
    from sphere.formats.recordio import write_insightface_set

    classes = [3, 3, 5, 5, 5, 9, 9, 12]

    def encoded():
        for label in classes:
            buffer = io.BytesIO()
            Image.fromarray(np.full((112, 112, 3), label, np.uint8)).save(buffer, "PNG")
            yield label, buffer.getvalue()

    write_insightface_set(tmp_path / "train.rec", tmp_path / "train.idx", encoded())
    rec, idx = tmp_path / "train.rec", tmp_path / "train.idx"
    counts = store_from_recordio(rec, idx, tmp_path / "s", exclude={"000005", "9"}, min_images=2, progress=False)
    store = read_store(tmp_path / "s")
    assert counts == {"images": 2, "identities": 1, "given": 2}
    assert store.index["identity"].tolist() == ["000003", "000003"] and store.index["label"].tolist() == [0, 0]
    assert (store.images == 3).all()  # the kept faces are class 3's
    with pytest.raises(InputError, match=r"train\.rec: no class left"):
        store_from_recordio(rec, idx, tmp_path / "u", min_images=4, progress=False)
