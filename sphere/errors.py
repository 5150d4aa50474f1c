"""The project's user-error type: bad input files or options, reported by the CLI as one line."""
from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's input that names the file (and line or row) at fault.

    A ValueError, so `sphere.cli.main` prints it as `sphere <verb>: error: <message>` without a traceback.
    """
