"""Reader for insightface verification sets (`lfw.bin`, `cfp_fp.bin`, `agedb_30.bin`), docs/formats.md.

A `.bin` is a pickle of (list of encoded images, list of bool issame); image 2i and 2i+1 form pair i.
Pickles run code on load, so this reader uses a restricted unpickler (docs/formats.md, Refused input and atomic writes):

- lists, tuples, bytes, str, bools and numbers need no class and load as usual; `bytearray` (an image
  buffer some writers keep) is allowed: building one runs no code;
- Python 2 pickles (protocol 2, images as `str`) load with encoding="bytes", giving bytes;
- Python 3 pickles written with protocol < 3 store bytes as `_codecs.encode(text, "latin1")`: that
  one function is allowed, for the latin-1 codec only;
- some versions hold numpy arrays (uint8 image buffers, bool issame): numpy's array and scalar
  reconstruction is allowed (`_reconstruct` of a plain ndarray as numpy writes it, `dtype`, `scalar`, and
  protocol 5's `_frombuffer` of bytes in the pickle), refusing the object dtype, so an array cannot smuggle
  in arbitrary objects, and refusing calls that would only allocate memory (`ndarray(shape)`,
  `bytearray(size)`);
- any other global (os.system, builtins.eval, ...) raises pickle.UnpicklingError naming it.
"""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path

import numpy as np

from sphere.errors import InputError, MissingFile, UnsafePickle
from sphere.formats.image import DECODE_ERRORS, decode_rgb


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


class _NdarrayRef:
    """What the global `numpy.ndarray` resolves to: the subtype argument `_reconstruct` expects. Calling it
    (a pickle asking for `numpy.ndarray(shape)`, memory of any size) is refused."""

    def __call__(self, *args: object) -> None:
        raise UnsafePickle("refusing a direct numpy.ndarray(...) call")


_NDARRAY = _NdarrayRef()


def _reconstruct(subtype, shape=None, dtype=None):
    """numpy's `_reconstruct(ndarray, (0,), b'b')`, as numpy writes it (the data comes with the state)."""
    if subtype is not _NDARRAY:
        raise UnsafePickle(f"refusing numpy array subtype {subtype!r}")
    if shape != (0,):
        raise UnsafePickle(f"refusing numpy _reconstruct of shape {shape!r} (numpy writes (0,))")
    return _NP_RECONSTRUCT(np.ndarray, shape, dtype)


def _scalar(dtype, *args):
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise UnsafePickle(f"refusing numpy scalar of dtype {dtype!r}")
    return _NP_SCALAR(dtype, *args)


def _frombuffer(buffer, dtype, shape, order) -> np.ndarray:
    """numpy's protocol-5 array: a view of bytes the pickle holds (no object dtype, no memory beyond them)."""
    if not isinstance(buffer, (bytes, bytearray)) or not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise UnsafePickle(f"refusing numpy _frombuffer of {type(buffer).__name__} as {dtype!r}")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order)


def _bytearray(source: object = b"", encoding: str = "latin1") -> bytearray:
    """bytearray of given bytes or text (how pickles store one); a size (zeroed memory) is refused."""
    if isinstance(source, str):
        return bytearray(source, encoding)
    if isinstance(source, (bytes, bytearray)):
        return bytearray(source)
    raise UnsafePickle(f"refusing bytearray of a {type(source).__name__}")


_ALLOWED = {
    ("_codecs", "encode"): _encode_latin1,
    ("builtins", "bytearray"): _bytearray,  # protocol < 5 pickles a bytearray image buffer as a call of it
    ("__builtin__", "bytearray"): _bytearray,  # the same in a protocol 2 pickle
    ("numpy", "dtype"): _dtype,
    ("numpy", "ndarray"): _NDARRAY,
}
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = _reconstruct
    _ALLOWED[(_mod, "scalar")] = _scalar
for _mod in ("numpy.core.numeric", "numpy._core.numeric"):
    _ALLOWED[(_mod, "_frombuffer")] = _frombuffer


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


def _unpickle(path: Path) -> object:
    """The .bin's top-level object, through the restricted unpickler."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise MissingFile(path, ".bin file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder, not a .bin file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot open: {err.strerror}") from None
    with fh:
        try:
            return RestrictedUnpickler(fh, encoding="bytes").load()
        except UnsafePickle as err:
            raise UnsafePickle(f"{path}: {err}") from None
        except Exception as err:  # truncated or not a pickle at all
            raise InputError(f"{path}: not a readable verification pickle: {err}") from None


def _issame(path: Path, issame: object) -> np.ndarray:
    """The pair labels as bools: a non-empty 1-d list of bools or 0/1 (ints, or floats that are exactly 0 or 1)."""
    if not isinstance(issame, (list, tuple, np.ndarray)):
        raise InputError(f"{path}: issame must be a list of bools, got {type(issame).__name__}")
    try:
        same = np.asarray(issame)
    except ValueError:  # ragged nesting
        raise InputError(f"{path}: issame must be a flat list of bools, got nested lists") from None
    if same.ndim == 1 and len(same) == 0:
        raise InputError(f"{path}: no pairs (issame is empty)")
    if same.ndim != 1 or same.dtype.kind not in "biuf":
        raise InputError(f"{path}: issame must be a list of bools, got {same.dtype} of shape {same.shape}")
    if same.dtype.kind != "b":
        wrong = np.flatnonzero((same != 0) & (same != 1))
        if len(wrong):
            raise InputError(
                f"{path}: issame must be 0/1 (or bools); {len(wrong)} pair(s) hold other values, e.g. pair "
                f"{int(wrong[0])}: {same[wrong[0]]}"
            )
    return same.astype(bool)


def _decode(path: Path, bins: object, pairs: int) -> list[np.ndarray]:
    """The encoded images (a list or tuple, two per pair) decoded to H x W x 3 uint8 RGB."""
    if not isinstance(bins, (list, tuple)):
        raise InputError(f"{path}: the images must be a list of encoded images, got {type(bins).__name__}")
    if len(bins) != 2 * pairs:
        raise InputError(f"{path}: {len(bins)} images for {pairs} pairs (expected {2 * pairs})")
    images = []
    for i, item in enumerate(bins):
        if isinstance(item, np.ndarray) and item.dtype == np.uint8 and item.ndim == 3 and item.shape[2] == 3:
            images.append(item)  # an image kept decoded (H x W x 3) rather than encoded
            continue
        try:
            images.append(decode_rgb(io.BytesIO(_as_bytes(item))))
        except (*DECODE_ERRORS, TypeError, ValueError) as err:
            raise InputError(f"{path}: image {i}: cannot decode: {err}") from None
    return images


def read_verification_bin(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """Images (H x W x 3 uint8 RGB, in file order) and `same` (bool, one per pair (2i, 2i+1))."""
    path = Path(path)
    obj = _unpickle(path)
    if not (isinstance(obj, (tuple, list)) and len(obj) == 2):
        raise InputError(f"{path}: expected a pickled (images, issame) pair, got {type(obj).__name__}")
    bins, issame = obj
    same = _issame(path, issame)
    return _decode(path, bins, len(same)), same
