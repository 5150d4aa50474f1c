"""One encoded image (a file or its bytes) decoded by PIL to H x W x 3 uint8 RGB: the one decoder of training
stores, MTCNN detection, `sphere evaluate` and `.bin` sets, so a face reads the same at training and at test."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from sphere.errors import InputError, MissingFile

# what decoding a damaged, foreign or oversized image raises (callers name the file and say why)
DECODE_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning)


def decode_rgb(source: Path | BinaryIO) -> np.ndarray:
    """The image as RGB whatever its mode (grey, CMYK, palette, alpha; 16- and 32-bit grey scaled to 8 bits first)
    or its suffix says; one past PIL's pixel limit is refused (DecompressionBombWarning raised), not decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as im:
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.asarray(im.point(lambda v: v / 256).convert("L").convert("RGB"))
            return np.asarray(im.convert("RGB"))


def read_rgb(path: Path) -> np.ndarray:
    """An image file as RGB; a missing file raises MissingFile, a truncated or undecodable one InputError."""
    try:
        return decode_rgb(path)
    except FileNotFoundError:
        raise MissingFile(path, "image not found") from None
    except DECODE_ERRORS as error:
        raise InputError(f"{path}: cannot decode image ({error})") from None
