"""Notes of a `sphere evaluate` run for stderr (pairs dropped, images missing, a flag overriding a model card).

Inside `held()` (sphere.evaluate.run.evaluate) they are kept and printed once the run has scored, so a refused
input leaves its one error line alone on stderr; outside it they are printed at once.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

_held: list[str] | None = None


def note(message: str) -> None:
    """Print `message` to stderr, or keep it for later inside `held()`."""
    if _held is None:
        print(message, file=sys.stderr)
    else:
        _held.append(message)


@contextlib.contextmanager
def held() -> Iterator[list[str]]:
    """Keep the notes of the enclosed code in the yielded list (printing them is the caller's)."""
    global _held
    outer, _held = _held, []
    try:
        yield _held
    finally:
        _held = outer
