"""Process runtime: the device picker, the thread setting, and atomic writes.

Atomic writes: a temporary file in the target's folder, then os.replace (docs/robustness.md). A killed or
failing writer leaves the previous file (or none), never a half-written one that looks complete; a full disk or
an unwritable folder raises a UserError naming the target path.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sphere.errors import UserError

if TYPE_CHECKING:
    import torch

_STARTED = time.monotonic()  # the clock of write_usage: sphere.runtime is imported as the CLI starts
USAGE_HEADER = "s\tcpu_time\tmax_rss\n"  # write_usage's columns, under the names of Snakemake's benchmark file


def write_error(path: Path, error: OSError) -> UserError:
    """The one-line error for a failed write of `path` (full disk, read-only or missing folder)."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason += " (disk full or file size limit)"
    return UserError(f"cannot write {path}: {reason}; nothing was written there")


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success it replaces `path`, on any error it is removed."""
    path = Path(path)
    # hidden and without the target's suffix, so a leftover of a killed writer matches no `*.csv` glob;
    # writers that infer a format from the name get it explicitly (np.save to a file object, savefig format=)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as error:
        raise write_error(path, error) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_text(path: Path | str, text: str) -> None:
    """Write `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_npy(path: Path | str, array) -> None:
    """np.save to `path` atomically."""
    import numpy as np

    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)


def to_csv(frame, path: Path | str, **kwargs) -> None:
    """DataFrame.to_csv to `path` atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, **kwargs)


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pick_device(name: str) -> torch.device:
    """'auto': CUDA when present, else the CPU; any other name as given."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def switch(value: str | bool, device: torch.device) -> bool:
    """Resolve an auto/on/off setting (YAML may give on/off as booleans): auto means on exactly on CUDA."""
    if isinstance(value, bool):
        return value
    return device.type == "cuda" if value == "auto" else value in ("on", "true", "yes", "1")


def keep_freed_memory() -> None:
    """Let glibc keep freed heap memory instead of handing it back to the kernel after every tensor: a
    600-step default training otherwise faults its activation buffers in again each step (1.3M page
    faults, 5.7 s of system time, 12 % of its CPU; with this 60K and 0.6 s, measured on the 2-core CPU
    machine). The cost is that the process keeps its peak heap. A no-op where libc is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    mallopt(m_mmap_threshold, 32 * 2**20)  # glibc's largest: allocations up to 32 MB come from the heap
    mallopt(m_trim_threshold, 2**30)


def set_threads(threads: int) -> None:
    """Cap torch's intra-op threads; 0 keeps torch's default."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def write_usage(path: Path | str) -> None:
    """This process's cost so far, one TSV row under the names of Snakemake's benchmark columns: `s` wall
    seconds since sphere.runtime was imported, `cpu_time` user + system seconds of the process and the
    children it waited for, `max_rss` the larger peak resident set of the two (MB)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    rss_unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    rss_mb = max(own.ru_maxrss, children.ru_maxrss) * rss_unit / 2**20
    write_text(path, f"{USAGE_HEADER}{time.monotonic() - _STARTED:.4f}\t{cpu:.4f}\t{rss_mb:.2f}\n")


def exit_fast(status: int | str | None) -> NoReturn:
    """End the process as `sys.exit(status)` would (atexit handlers run, the standard streams are flushed, a
    string is printed to stderr with status 1) but skip the interpreter's teardown: with torch loaded, its
    native destructors cost about 1 s of CPU per process (a default training: 32.9 s of CPU under `time`,
    31.6 s when its verb returned), about 80 CPU-s over the default DAG's torch jobs."""
    if isinstance(status, str):
        print(status, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)
