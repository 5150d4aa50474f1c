import io
import struct

import numpy as np
import pytest
from PIL import Image

from sphere.errors import InputError
from sphere.formats.recordio import MAGIC, RecordIOReader

MAGIC_BYTES = struct.pack("<I", MAGIC)


def pack(label, payload: bytes, id_: int = 0, id2: int = 0) -> bytes:
    """MXNet recordio.pack: IRHeader, then the label array when the label is a sequence."""
    if np.ndim(label):
        labels = np.asarray(label, "<f4")
        return struct.pack("<IfQQ", len(labels), 0.0, id_, id2) + labels.tobytes() + payload
    return struct.pack("<IfQQ", 0, float(label), id_, id2) + payload


def write_recordio(rec, idx, records: dict[int, bytes]) -> None:
    """dmlc RecordIO writer from the format spec: split payloads at 4-aligned magic words."""
    with open(rec, "wb") as f, open(idx, "w") as ix:
        for key, payload in records.items():
            ix.write(f"{key}\t{f.tell()}\n")
            parts, start = [], 0
            for i in range(0, len(payload) - 3, 4):
                if payload[i : i + 4] == MAGIC_BYTES:
                    parts.append(payload[start:i])
                    start = i + 4
            parts.append(payload[start:])
            for j, part in enumerate(parts):
                cflag = 0 if len(parts) == 1 else 1 if j == 0 else 3 if j == len(parts) - 1 else 2
                f.write(struct.pack("<II", MAGIC, cflag << 29 | len(part)) + part + b"\0" * (-len(part) % 4))


def jpeg(colour, size=(12, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]


@pytest.fixture
def insightface_set(tmp_path):
    records = {0: pack([4, 6], b"")}  # header: images are keys 1..3, identities 4..5 (insightface layout)
    records.update({k: pack(float(label), jpeg(COLOURS[k - 1]), id_=k) for k, label in [(1, 0), (2, 0), (3, 1)]})
    records[4] = pack([1, 3], b"")  # identity 0: images 1..2
    records[5] = pack([3, 4], b"")
    # a record whose payload holds the magic word twice at aligned places: stored in 3 parts
    records[6] = pack(7.0, b"abcd" + MAGIC_BYTES + b"efgh" + MAGIC_BYTES + b"ij")
    write_recordio(tmp_path / "train.rec", tmp_path / "train.idx", records)
    return tmp_path


def test_reads_insightface_layout(insightface_set):
    with RecordIOReader(insightface_set / "train.rec", insightface_set / "train.idx") as reader:
        assert reader.keys() == [0, 1, 2, 3, 4, 5, 6]
        assert reader.image_keys() == [1, 2, 3]
        head, _ = reader.read(0)
        assert head.flag == 2 and head.label.tolist() == [4.0, 6.0]
        assert [reader.label(k) for k in (1, 2, 3)] == [0.0, 0.0, 1.0]
        assert reader.read(3)[0].id == 3
        assert reader.label(5).tolist() == [3.0, 4.0]
        for k, colour in zip((1, 2, 3), COLOURS):
            img = reader.image(k)
            assert img.shape == (10, 12, 3) and img.dtype == np.uint8
            np.testing.assert_allclose(img.reshape(-1, 3).mean(0), colour, atol=4)


def test_multipart_record_is_rejoined(insightface_set):
    rec = insightface_set / "train.rec"
    raw = rec.read_bytes()
    assert raw.count(MAGIC_BYTES) == 9  # 7 records + 2 extra parts: the writer did split
    with RecordIOReader(rec, insightface_set / "train.idx") as reader:
        head, data = reader.read(6)
        assert head.label == 7.0 and data == b"abcd" + MAGIC_BYTES + b"efgh" + MAGIC_BYTES + b"ij"


def test_errors_name_file_line_and_key(insightface_set):
    idx = insightface_set / "bad.idx"
    idx.write_text("0\t0\n1\t24x\n")  # (spaces instead of a tab are accepted)
    with pytest.raises(ValueError, match=r"bad.idx:2: expected"):
        RecordIOReader(insightface_set / "train.rec", idx)
    idx.write_text("0\t0\n1\t4\n")  # offset 4 is inside record 0
    with RecordIOReader(insightface_set / "train.rec", idx) as reader:
        with pytest.raises(ValueError, match=r"train.rec: bad magic .* at offset 4 \(key 1\)"):
            reader.read(1)
        with pytest.raises(KeyError, match="no key 9"):
            reader.read(9)


def test_writer_round_trips_an_insightface_set(tmp_path):
    from sphere.formats.recordio import write_insightface_set

    images = [(0, jpeg(COLOURS[0])), (0, jpeg(COLOURS[1])), (2, jpeg(COLOURS[2])), (2, b"x" + MAGIC_BYTES * 3)]
    count = write_insightface_set(tmp_path / "train.rec", tmp_path / "train.idx", iter(images))
    assert count == 4
    with RecordIOReader(tmp_path / "train.rec", tmp_path / "train.idx") as reader:
        assert reader.image_keys() == [1, 2, 3, 4]
        assert reader.read(0)[0].label.tolist() == [5.0, 7.0]  # images end at 5, two class records 5..6
        assert reader.label(5).tolist() == [1.0, 3.0] and reader.label(6).tolist() == [3.0, 5.0]
        assert [reader.class_of(k) for k in (1, 2, 3, 4)] == [0, 0, 2, 2]
        assert reader.read(4)[1] == b"x" + MAGIC_BYTES * 3  # unaligned magic words: written whole
        np.testing.assert_allclose(reader.image(3).reshape(-1, 3).mean(0), COLOURS[2], atol=4)


def test_writer_splits_aligned_magic_like_mxnet(tmp_path):
    from sphere.formats.recordio import RecordIOWriter

    payload = b"abcd" + MAGIC_BYTES + b"efgh" + MAGIC_BYTES + b"ij"
    with RecordIOWriter(tmp_path / "a.rec", tmp_path / "a.idx") as writer:
        writer.write(0, payload)
    write_recordio(tmp_path / "b.rec", tmp_path / "b.idx", {0: payload})
    assert (tmp_path / "a.rec").read_bytes() == (tmp_path / "b.rec").read_bytes()


def test_class_of_reads_the_first_of_a_label_array(tmp_path):
    write_recordio(tmp_path / "t.rec", tmp_path / "t.idx", {1: pack([3.0, 9.0], jpeg(COLOURS[0])), 2: pack(1.5, b"")})
    with RecordIOReader(tmp_path / "t.rec", tmp_path / "t.idx") as reader:
        assert reader.class_of(1) == 3
        with pytest.raises(InputError, match="key 2: label 1.5 is not a class number"):
            reader.class_of(2)
