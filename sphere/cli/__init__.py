"""`sphere <verb>`: thin commands over library functions, one per DAG stage.

Each module of this package holds the verbs of one stage and registers their arguments (`register`); the verb
functions import the library lazily, so building the parser stays free of torch.
"""

from __future__ import annotations

import argparse
import sys

from sphere import runtime
from sphere.cli import bench, config, data, evaluate, protocols, report, train, workflow
from sphere.errors import UserError

MODULES = (data, train, protocols, evaluate, report, bench, config, workflow)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="sphere", description="SphereFace reproduction and benchmark harness")
    top.add_argument(
        "--usage",
        metavar="FILE",
        help="at exit, write the wall and CPU seconds and the peak "
        "memory of this command to FILE (a TSV; what each DAG job leaves in benchmarks/)",
    )
    verbs = top.add_subparsers(dest="verb", required=True)
    for module in MODULES:
        module.register(verbs)
    return top


def main(argv: list[str] | None = None) -> None:
    """Run a verb. A user error (bad input, config or environment: sphere.errors.UserError, or a file the
    operating system refused, which names it) prints one line `sphere <verb>: <message>` and exits with status 2;
    any other exception is a programming error and keeps its traceback. `--usage FILE` is written however
    the verb ends."""
    args = parser().parse_args(argv)
    runtime.keep_freed_memory()
    try:
        args.func(args)
    except UserError as error:
        print(f"sphere {args.verb}: {' '.join(str(error).splitlines())}", file=sys.stderr)
        sys.exit(2)
    except OSError as error:  # missing file, unwritable folder, full disk: the OS names the path
        if not error.filename:
            raise  # an OS error about no file of the user's (a socket, a device): keep the traceback
        print(f"sphere {args.verb}: {error.filename}: {error.strerror or error}", file=sys.stderr)
        sys.exit(2)
    finally:
        if args.usage:
            runtime.write_usage(args.usage)


def entry() -> None:
    """The `sphere` process (console script and `python -m sphere`): main(), then runtime.exit_fast. A
    programming error leaves through the normal exit, with its traceback."""
    try:
        main()
    except SystemExit as stop:
        runtime.exit_fast(stop.code)
    runtime.exit_fast(0)


if __name__ == "__main__":
    entry()
