"""Reader for insightface verification sets (`lfw.bin`, `cfp_fp.bin`, `agedb_30.bin`), docs/formats.md.

A `.bin` is a pickle of (list of encoded images, list of bool issame); image 2i and 2i+1 form pair i.
Pickles run code on load, so this reader uses a restricted unpickler (docs/formats.md, Refused input and atomic writes):

- lists, tuples, bytes, str, bools and numbers need no class and load as usual;
- Python 2 pickles (protocol 2, images as `str`) load with encoding="bytes", giving bytes;
- Python 3 pickles written with protocol < 3 store bytes as `_codecs.encode(text, "latin1")`: that
  one function is allowed, for the latin-1 codec only;
- some versions hold numpy arrays (uint8 image buffers, bool issame): numpy's array and scalar
  reconstruction is allowed (`_reconstruct` of a plain ndarray, `dtype`, `scalar`), refusing the
  object dtype, so an array cannot smuggle in arbitrary objects;
- any other global (os.system, builtins.eval, ...) raises pickle.UnpicklingError naming it.
"""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path

import numpy as np
from PIL import Image

from sphere.errors import InputError, UnsafePickle


def _encode_latin1(text: str, encoding: str = "latin1") -> bytes:
    if codecs.lookup(encoding).name != "iso8859-1":
        raise UnsafePickle(f"refusing _codecs.encode with encoding {encoding!r}")
    return codecs.encode(text, "latin1")


def _dtype(*args) -> np.dtype:
    dt = np.dtype(*args)
    if dt.hasobject:
        raise UnsafePickle(f"refusing numpy dtype {dt} (holds Python objects)")
    return dt


# numpy's own reconstruction functions, found without naming private modules (they moved in numpy 2)
_NP_RECONSTRUCT = np.zeros(1).__reduce__()[0]
_NP_SCALAR = np.bool_(True).__reduce__()[0]


def _reconstruct(subtype, *args):
    if subtype is not np.ndarray:
        raise UnsafePickle(f"refusing numpy array subtype {subtype!r}")
    return _NP_RECONSTRUCT(subtype, *args)


def _scalar(dtype, *args):
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise UnsafePickle(f"refusing numpy scalar of dtype {dtype!r}")
    return _NP_SCALAR(dtype, *args)


_ALLOWED = {
    ("_codecs", "encode"): _encode_latin1,
    ("numpy", "dtype"): _dtype,
    ("numpy", "ndarray"): np.ndarray,
}
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = _reconstruct
    _ALLOWED[(_mod, "scalar")] = _scalar


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals listed in this module's docstring."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickle(f"refusing to load global {module}.{name}") from None


def _as_bytes(item) -> bytes:
    if isinstance(item, (bytes, bytearray)):
        return bytes(item)
    if isinstance(item, np.ndarray) and item.dtype == np.uint8:
        return item.tobytes()
    raise TypeError(f"expected encoded image bytes, got {type(item).__name__}")


def read_verification_bin(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """Images (H x W x 3 uint8 RGB, in file order) and `same` (bool, one per pair (2i, 2i+1))."""
    path = Path(path)
    try:
        fh = open(path, "rb")
    except OSError as err:
        raise InputError(f"{path}: cannot open: {err.strerror}") from None
    with fh:
        try:
            obj = RestrictedUnpickler(fh, encoding="bytes").load()
        except UnsafePickle as err:
            raise UnsafePickle(f"{path}: {err}") from None
        except Exception as err:  # truncated or not a pickle at all
            raise InputError(f"{path}: not a readable verification pickle: {err}") from None
    if not (isinstance(obj, (tuple, list)) and len(obj) == 2):
        raise InputError(f"{path}: expected a pickled (images, issame) pair, got {type(obj).__name__}")
    bins, issame = obj
    same = np.asarray(issame)
    if same.ndim != 1 or same.dtype.kind not in "biu":
        raise InputError(f"{path}: issame must be a list of bools, got {same.dtype} of shape {same.shape}")
    if same.dtype.kind != "b":
        wrong = np.flatnonzero((same != 0) & (same != 1))
        if len(wrong):
            raise InputError(
                f"{path}: issame must be 0/1 (or bools); {len(wrong)} pair(s) hold other values, e.g. pair "
                f"{int(wrong[0])}: {same[wrong[0]]}"
            )
    if len(bins) != 2 * len(same):
        raise InputError(f"{path}: {len(bins)} images for {len(same)} pairs (expected {2 * len(same)})")
    images = []
    for i, item in enumerate(bins):
        try:
            with Image.open(io.BytesIO(_as_bytes(item))) as im:
                images.append(np.asarray(im.convert("RGB")))
        except (OSError, TypeError, ValueError, Image.DecompressionBombError) as err:
            raise InputError(f"{path}: image {i}: cannot decode: {err}") from None
    return images, same.astype(bool)
