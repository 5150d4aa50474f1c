"""`sphere <verb>`: thin commands over library functions.

The top level lists what a user calls by hand (USER_VERBS; at most 10 with `step`); every other verb is a step
only the DAG calls and lives under `sphere step <name>`. Each module of this package registers the verbs of one
stage (`register`); the verb functions import the library lazily, so building the parser stays free of torch.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sphere import runtime
from sphere.cli import bench, config, data, evaluate, leakage, protocols, report, train, workflow
from sphere.cli.common import Parser
from sphere.errors import UserError

MODULES = (data, train, protocols, evaluate, report, leakage, bench, config, workflow)
# what a user calls by hand; every other verb a module registers is a step only the DAG (workflow/rules/*.smk)
# calls, listed by `sphere step --help` and run as `sphere step <name>`
USER_VERBS = (
    "train",
    "features",
    "evaluate",
    "evaluate-compare",
    "export-model",
    "check-config",
    "reproduce",
    "report",
    "bench",
)
# OS errors that are the user's own (a path named on the command line or in a config) even without a filename
USER_OS_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)


class _Router:
    """Sends each verb a module registers to the top level or, for a DAG step, under `sphere step`."""

    def __init__(self, user: Any, steps: Any) -> None:
        self.user, self.steps = user, steps

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return (self.user if name in USER_VERBS else self.steps).add_parser(name, **kwargs)


def parser() -> argparse.ArgumentParser:
    top = Parser(prog="sphere", description="SphereFace reproduction and benchmark harness")
    top.add_argument(
        "--usage",
        metavar="FILE",
        help="at exit, write the wall and CPU seconds and the peak "
        "memory of this command to FILE (a TSV; what each DAG job leaves in benchmarks/)",
    )
    verbs = top.add_subparsers(dest="verb", required=True, metavar="VERB")
    step = verbs.add_parser(
        "step",
        help="a step of the DAG (workflow/rules/*.smk calls these; `sphere step --help` lists them)",
        description="The steps only the DAG calls.",
    )
    steps = step.add_subparsers(dest="step", required=True, metavar="STEP")
    for module in MODULES:
        module.register(_Router(verbs, steps))
    # list `step` after the user's verbs (argparse lists sub-commands in the order they were added)
    actions = verbs._choices_actions
    actions.append(actions.pop(0))
    return top


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-commands of `parser` by name (its verbs, or the steps of `sphere step`)."""
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def steps(top: argparse.ArgumentParser) -> list[str]:
    """The names `sphere step` takes."""
    return list(_commands(_commands(top)["step"]))


def verb_parser(top: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the verb (or DAG step) that `args` were parsed for."""
    verb = _commands(top)[args.verb]
    return _commands(verb)[args.step] if args.verb == "step" else verb


def _verb(args: argparse.Namespace) -> str:
    return f"step {args.step}" if args.verb == "step" else args.verb


def main(argv: list[str] | None = None) -> None:
    """Run a verb. A user error (bad input, config or environment: sphere.errors.UserError, or a file the
    operating system refused) prints one line `sphere <verb>: <message>` and exits with status 2; any other
    exception is a programming error and keeps its traceback. `--usage FILE` is written however the verb ends.
    A step called without `step` (`sphere lfw ...`, the pre-split spelling) still runs, as `sphere step lfw`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = next((k for k, a in enumerate(argv) if not a.startswith("-") and argv[k - 1 : k] != ["--usage"]), None)
    top = parser()
    if verb is not None and argv[verb] in steps(top):
        argv.insert(verb, "step")
    args, extra = top.parse_known_args(argv)
    if extra:  # said by the verb's own parser, as its other errors (`sphere evaluate`: in one line)
        verb_parser(top, args).error(f"unrecognized arguments: {' '.join(extra)}")
    runtime.keep_freed_memory()
    try:
        args.func(args)
    except UserError as error:
        print(f"sphere {_verb(args)}: {' '.join(str(error).splitlines())}", file=sys.stderr)
        sys.exit(2)
    except OSError as error:  # missing file, unwritable folder, full disk: the user's to fix
        if error.filename:
            print(f"sphere {_verb(args)}: {error.filename}: {error.strerror or error}", file=sys.stderr)
        elif isinstance(error, USER_OS_ERRORS):  # raised by hand with the path in its message
            print(f"sphere {_verb(args)}: {' '.join(str(error).splitlines())}", file=sys.stderr)
        else:
            raise  # an OS error about no file of the user's (a socket, a device): keep the traceback
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
