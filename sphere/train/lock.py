"""One writer per output folder: `sphere train` into a folder another process is training into is refused.

An flock on `<folder>/train.lock`: the kernel drops it when its process ends, however it ends, so a
killed run leaves no stale lock behind (unlike a marker file). Snakemake's own lock covers the DAG.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sphere.errors import BusyError


@contextlib.contextmanager
def exclusive(folder: Path | str, what: str = "sphere train") -> Iterator[None]:
    """Hold the folder's lock for the block; BusyError naming the folder and the holder's pid if taken."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "train.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise BusyError(
                f"{folder}: another `{what}` (pid {holder}) is writing here; wait for it to end or "
                f"stop it (lock file {path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock
