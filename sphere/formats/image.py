"""One encoded image (a file or its bytes) decoded by PIL to H x W x 3 uint8 RGB."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

# what decoding a damaged, foreign or oversized image raises (callers name the file and say why)
DECODE_ERRORS = (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning)


def decode_rgb(source: Path | BinaryIO) -> np.ndarray:
    """The image as RGB; one past PIL's pixel limit is refused (DecompressionBombWarning raised), not decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as im:
            return np.asarray(im.convert("RGB"))
