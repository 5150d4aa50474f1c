"""Obtain and verify the MTCNN weights (docs/paper.md §3: landmarks by MTCNN, paper Sec. 4.1).

The weights are the P/R/O-Net state dicts shipped inside the facenet-pytorch 2.6.0 wheel on PyPI
(MIT licence), `facenet_pytorch/data/{pnet,rnet,onet}.pt`. Installing that package would pin old
torch versions, so the wheel is only downloaded (`pip download --no-deps`) and read as a zip.
Every file is checked against the SHA-256 sums below (those of the files in the wheel on PyPI; rechecked by
downloading it).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

from sphere.errors import InputError, UserError
from sphere.runtime import sha256_file

PACKAGE = "facenet-pytorch==2.6.0"
WHEEL_DIR = "facenet_pytorch/data"
DEFAULT_CACHE = Path.home() / ".cache" / "sphere" / "mtcnn"  # where fetch-mtcnn extracts the wheel's files
SHA256 = {
    "pnet.pt": "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
    "rnet.pt": "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
    "onet.pt": "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
}


def verify_weights(folder: Path) -> list[str]:
    """Problems with the three weight files in `folder` (missing or wrong sum); empty when all good."""
    problems = []
    for name, expected in SHA256.items():
        path = Path(folder) / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (actual := sha256_file(path)) != expected:
            problems.append(f"{path}: SHA-256 {actual} != expected {expected}")
    return problems


def extract_weights(wheel: Path, cache_dir: Path) -> Path:
    """Copy the three weight files out of a facenet-pytorch wheel into `cache_dir`, verified.

    Each file is written under a temporary name and renamed only once its sum is right, so a
    corrupt download never leaves a plausible-looking file behind.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        for name, expected in SHA256.items():
            member = f"{WHEEL_DIR}/{name}"
            try:
                data = zf.read(member)
            except KeyError:
                raise InputError(f"{wheel}: no {member} in the wheel") from None
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                raise InputError(f"{wheel}:{member}: SHA-256 {actual} != expected {expected}")
            tmp = cache_dir / f".{name}.part"
            tmp.write_bytes(data)
            tmp.replace(cache_dir / name)
    return cache_dir


def fetch_mtcnn_weights(cache_dir: Path) -> Path:
    """Download the facenet-pytorch 2.6.0 wheel with pip (no install) and extract the verified weights.

    Returns `cache_dir`; does nothing but verify when it already holds the right files.
    """
    cache_dir = Path(cache_dir)
    if cache_dir.is_dir() and not verify_weights(cache_dir):
        return cache_dir
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", PACKAGE, "-d", tmp]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise UserError(
                f"`{' '.join(cmd)}` failed ({proc.returncode}): {last} (no network? give "
                "data.mtcnn_weights or --weights, a folder with pnet.pt, rnet.pt, onet.pt)"
            )
        wheels = sorted(Path(tmp).glob("facenet_pytorch-*.whl"))
        if not wheels:
            raise UserError(f"`{' '.join(cmd)}` produced no wheel in {tmp}")
        return extract_weights(wheels[0], cache_dir)


def resolve_mtcnn_weights(local: Path | None, cache_dir: Path) -> Path:
    """A folder with the three verified weight files: `local` if it has them, else the cache
    (filled by `fetch_mtcnn_weights` when needed). A bad `local` falls through with a warning."""
    if local is not None:
        problems = verify_weights(Path(local))
        if not problems:
            return Path(local)
        warnings.warn(f"not using {local} for MTCNN weights: " + "; ".join(problems), stacklevel=2)
    return fetch_mtcnn_weights(cache_dir)
