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
- insightface sets: record 0 is a header whose labels (first, end) give the range of image keys;
  the records after the images describe identities. Used as the large training sets the harness can
  read besides image folders (docs/paper.md §3, CASIA-WebFace as distributed by insightface).
"""

from __future__ import annotations

import io
import os
import struct
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
                first, end = (int(v) for v in np.atleast_1d(head.label)[:2])
                return list(range(first, end))
        return self.keys()

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
