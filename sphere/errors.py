"""User errors: bad input the user can fix, reported by `sphere <verb>` as one line (exit status 2).

Anything else that escapes a verb is a programming error and keeps its traceback (docs/formats.md, Refused input and
atomic writes).
"""

from __future__ import annotations

import errno
import pickle
from pathlib import Path


class UserError(Exception):
    """A bad input, setting or environment the user can fix; the message names the file and line or key."""


class InputError(UserError, ValueError):
    """A file that cannot be used as given (malformed, non-finite, degenerate, missing); names file and line."""


class MissingFile(InputError, FileNotFoundError):
    """A file or folder the user named that is not there. Its `filename` is set, so a handler of OSError (or
    FileNotFoundError) names the path too; the message reads `<path>: <what>`."""

    def __init__(self, path: Path | str, what: str = "not found") -> None:
        FileNotFoundError.__init__(self, errno.ENOENT, what, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"

    def __reduce__(self) -> tuple:  # crosses a worker pool as itself (OSError's default passes errno first)
        return type(self), (self.filename, self.strerror)


class UnsafePickle(InputError, pickle.UnpicklingError):
    """A pickle that asks for a global outside the allowed list (a .bin set that would run code)."""


class BusyError(UserError):
    """Another process is writing the same output folder."""


class ConfigError(UserError, ValueError):
    """A run configuration that cannot run; the message names the config file and the key."""
