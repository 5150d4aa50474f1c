"""Pure-Python reader for insightface / MXNet RecordIO training sets (`train.rec` + `train.idx`).

Format (dmlc-core RecordIO, MXNet `recordio.pack`):
- `train.idx`: text lines `key<TAB>byte offset` into `train.rec`.
- each record: uint32 magic 0xced7230a, uint32 word = (cflag << 29) | length, then `length` bytes
  padded with zeros to a multiple of 4. cflag 0 is a whole record; a payload that contained the magic
  word was split there into parts flagged 1 (first), 2 (middle), 3 (last), and reading puts the magic
  back between the parts.
- payload: IRHeader (uint32 flag, float32 label, uint64 id, uint64 id2, little-endian, 24 bytes);
  when flag > 0, `flag` float32 labels follow and the header's own label is unused; then the image
  (JPEG) bytes.
- insightface sets: record 0 is a header whose two labels are (end of the image keys, end of the
  identity keys): the images are keys 1 .. label[0] - 1, and keys label[0] .. label[1] - 1 are one record
  per identity whose labels are that identity's (first, end) image keys (insightface
  recognition/arcface_torch/dataset.py, MXFaceDataset, master of 2023: `range(1, int(header.label[0]))`).
  An image record whose label is an array has its class first, as insightface reads it. Used as the large
  training sets the harness can read besides image folders (docs/paper.md §3, CASIA-WebFace as distributed by
  insightface; `data.source: recordio`, sphere.align.store_builder.store_from_recordio).
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from sphere.errors import InputError
from sphere.formats.text import read_lines

MAGIC = 0xCED7230A
_HEAD = struct.Struct("<II")
_IRHEADER = struct.Struct("<IfQQ")


@dataclass
class IRHeader:
    """Record header: label is a float, or a float32 array when flag > 0 (flag = its length)."""

    flag: int
    label: float | np.ndarray
    id: int
    id2: int


def unpack(payload: bytes) -> tuple[IRHeader, bytes]:
    """Split a record payload into its IRHeader and the remaining (image) bytes."""
    if len(payload) < _IRHEADER.size:
        raise ValueError(f"payload of {len(payload)} bytes is shorter than the 24-byte IRHeader")
    flag, label, id_, id2 = _IRHEADER.unpack_from(payload)
    start = _IRHEADER.size
    if flag > 0:
        end = start + 4 * flag
        if len(payload) < end:
            raise ValueError(f"IRHeader announces {flag} labels but the payload has {len(payload)} bytes")
        return IRHeader(flag, np.frombuffer(payload[start:end], dtype="<f4").copy(), id_, id2), payload[end:]
    return IRHeader(flag, label, id_, id2), payload[start:]


def read_index(path: Path) -> dict[int, int]:
    """Parse an `.idx` file: key -> byte offset."""
    index: dict[int, int] = {}
    for lineno, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        try:
            key, offset = int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            raise InputError(f"{path}:{lineno}: expected 'key<TAB>offset', got {line.rstrip()!r}") from None
        if len(parts) != 2 or offset < 0:
            raise InputError(f"{path}:{lineno}: expected 'key<TAB>offset', got {line.rstrip()!r}")
        index[key] = offset
    return index


class RecordIOReader:
    """Random access to an indexed RecordIO file; reads with os.pread, so forked workers can share it."""

    def __init__(self, rec: Path, idx: Path) -> None:
        self.rec, self.idx = Path(rec), Path(idx)
        self._fd = -1
        self._index = read_index(self.idx)
        try:
            self._fd = os.open(self.rec, os.O_RDONLY)
        except OSError as error:
            raise InputError(f"{self.rec}: cannot open: {error.strerror}") from None

    def close(self) -> None:
        """Close the record file (also on garbage collection)."""
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> RecordIOReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._index)

    def keys(self) -> list[int]:
        """All keys of the index, in file order."""
        return list(self._index)

    def image_keys(self) -> list[int]:
        """Keys of the image records: the range in record 0's labels for insightface sets, else all keys."""
        if 0 in self._index:
            head, _ = self.read(0)
            if head.flag > 0:
                end = int(np.atleast_1d(head.label)[0])
                if not 1 <= end <= len(self._index):
                    raise InputError(
                        f"{self.rec}: record 0 announces image keys 1..{end - 1}, the index has {len(self)}"
                    )
                return list(range(1, end))
        return self.keys()

    def header(self, key: int) -> IRHeader:
        """The IRHeader of record `key`, read without its image bytes where the record is in one part."""
        offset = self._index.get(key)
        if offset is None:
            raise KeyError(f"{self.idx}: no key {key}")
        head = os.pread(self._fd, _HEAD.size + _IRHEADER.size, offset)
        if len(head) == _HEAD.size + _IRHEADER.size:
            magic, word = _HEAD.unpack_from(head)
            flag = _IRHEADER.unpack_from(head, _HEAD.size)[0]
            if magic == MAGIC and word >> 29 == 0 and flag == 0:
                _, label, id_, id2 = _IRHEADER.unpack_from(head, _HEAD.size)
                return IRHeader(0, label, id_, id2)
        return self.read(key)[0]  # label arrays, split records and damage: the full read explains

    def class_of(self, key: int) -> int:
        """The identity class of image record `key`: its label, or the first of its labels."""
        label = self.header(key).label
        value = float(np.atleast_1d(label)[0])
        if not value.is_integer() or value < 0:
            raise InputError(f"{self.rec}: key {key}: label {value} is not a class number")
        return int(value)

    def read_raw(self, key: int) -> bytes:
        """The payload of record `key`, parts joined."""
        try:
            offset = self._index[key]
        except KeyError:
            raise KeyError(f"{self.idx}: no key {key}") from None
        parts = []
        while True:
            head = os.pread(self._fd, _HEAD.size, offset)
            if len(head) < _HEAD.size:
                raise InputError(f"{self.rec}: truncated record header at offset {offset} (key {key})")
            magic, word = _HEAD.unpack(head)
            if magic != MAGIC:
                raise InputError(f"{self.rec}: bad magic {magic:#010x} at offset {offset} (key {key})")
            cflag, length = word >> 29, word & ((1 << 29) - 1)
            data = os.pread(self._fd, length, offset + _HEAD.size)
            if len(data) < length:
                raise InputError(f"{self.rec}: record at offset {offset} (key {key}) runs past the end of the file")
            parts.append(data)
            if cflag in (0, 3):
                break
            offset += _HEAD.size + (length + 3) // 4 * 4
        return MAGIC.to_bytes(4, "little").join(parts)

    def read(self, key: int) -> tuple[IRHeader, bytes]:
        """(header, image bytes) of record `key`."""
        payload = self.read_raw(key)
        try:
            return unpack(payload)
        except ValueError as err:
            raise InputError(f"{self.rec}: key {key}: {err}") from None

    def label(self, key: int) -> float | np.ndarray:
        """The label of record `key` (a float, or the label array when the header's flag > 0)."""
        return self.read(key)[0].label

    def image(self, key: int) -> np.ndarray:
        """Decode record `key`'s image to H x W x 3 uint8 RGB."""
        _, data = self.read(key)
        try:
            with Image.open(io.BytesIO(data)) as im:
                return np.asarray(im.convert("RGB"))
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            raise InputError(f"{self.rec}: key {key}: undecodable image: {err}") from None


def pack(label: float | np.ndarray | list, image: bytes, id_: int = 0, id2: int = 0) -> bytes:
    """A record payload as MXNet `recordio.pack` makes it: the IRHeader, the label array when the label is
    a sequence (flag = its length), then the image bytes."""
    if np.ndim(label):
        labels = np.asarray(label, "<f4")
        return _IRHEADER.pack(len(labels), 0.0, id_, id2) + labels.tobytes() + image
    return _IRHEADER.pack(0, float(np.asarray(label)), id_, id2) + image


class RecordIOWriter:
    """Write an indexed RecordIO file pair (`.rec` + `.idx`) in the format above, record by record."""

    def __init__(self, rec: Path, idx: Path) -> None:
        self._rec = open(rec, "wb")
        self._idx = open(idx, "w")

    def write(self, key: int, payload: bytes) -> None:
        """Append record `key`; a payload holding the magic word at a 4-byte boundary is split there."""
        self._idx.write(f"{key}\t{self._rec.tell()}\n")
        parts, start = [], 0
        magic = MAGIC.to_bytes(4, "little")
        position = payload.find(magic)
        while position >= 0:
            if position % 4 == 0:
                parts.append(payload[start:position])
                start = position + 4
                position = payload.find(magic, start)
            else:
                position = payload.find(magic, position + 1)
        parts.append(payload[start:])
        for i, part in enumerate(parts):
            cflag = 0 if len(parts) == 1 else 1 if i == 0 else 3 if i == len(parts) - 1 else 2
            self._rec.write(_HEAD.pack(MAGIC, cflag << 29 | len(part)) + part + bytes(-len(part) % 4))

    def close(self) -> None:
        self._rec.close()
        self._idx.close()

    def __enter__(self) -> RecordIOWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_insightface_set(rec: Path, idx: Path, images: Iterable[tuple[int, bytes]]) -> int:
    """An insightface-layout training set from (class, JPEG bytes) pairs grouped by class in increasing order:
    the header record 0, the image records 1..N, then one record per class with its (first, end) image keys.
    Streams: memory for one image. Returns N."""
    ranges: list[list[int]] = []  # [class, first key, end key]
    count = 0
    with RecordIOWriter(rec, idx) as out:
        out.write(0, pack([0.0, 0.0], b""))  # a placeholder of the header's length, rewritten below
        for key, (label, image) in enumerate(images, 1):
            if not ranges or ranges[-1][0] != label:
                if ranges and label < ranges[-1][0]:
                    raise ValueError(f"images must come grouped by class, increasing ({label} after {ranges[-1][0]})")
                ranges.append([label, key, key])
            ranges[-1][2] = key + 1
            out.write(key, pack(float(label), image, id_=key))
            count = key
        for i, (_, first, end) in enumerate(ranges):
            out.write(count + 1 + i, pack([float(first), float(end)], b""))
    header = pack([float(count + 1), float(count + 1 + len(ranges))], b"")
    with open(rec, "r+b") as fh:  # same length as the placeholder; no magic word in these small floats
        fh.write(_HEAD.pack(MAGIC, len(header)) + header)
    return count
