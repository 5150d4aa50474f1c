"""User errors: bad input the user can fix, reported by `sphere <verb>` as one line (exit status 2).

Anything else that escapes a verb is a programming error and keeps its traceback (docs/formats.md, Refused input and
atomic writes).
"""

from __future__ import annotations

import pickle


class UserError(Exception):
    """A bad input, setting or environment the user can fix; the message names the file and line or key."""


class InputError(UserError, ValueError):
    """A file that cannot be used as given (malformed, non-finite, degenerate, missing); names file and line."""


class UnsafePickle(InputError, pickle.UnpicklingError):
    """A pickle that asks for a global outside the allowed list (a .bin set that would run code)."""


class BusyError(UserError):
    """Another process is writing the same output folder."""


class ConfigError(UserError, ValueError):
    """A run configuration that cannot run; the message names the config file and the key."""
