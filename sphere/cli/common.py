"""What every verb module shares: the subparsers type, one-line argparse errors, and library defaults read
without importing the library.

The parser is built on every `sphere` call. Importing the modules behind each verb's defaults would load torch
(seconds) even for `sphere check-config`, so `default` reads a parameter's default (or a dataclass field's) from
the module's source text. Every lookup is recorded in `LOOKED_UP`; tests/cli/test_common.py compares each one with
what `inspect.signature` of the imported function says, so a changed library default cannot drift from the CLI.
"""

from __future__ import annotations

import argparse
import ast
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

if TYPE_CHECKING:
    from sphere.config.sections import RunConfig


class Verbs(Protocol):
    """What a verb module registers its parsers with: argparse's subparsers action, or the CLI's router that
    puts the DAG's steps under `sphere step`."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every option's help ends with its default (none shown where the default is None: the help says what
    happens then); descriptions and epilogs (worked examples) keep their line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help (and its sub-commands' help) uses HelpFormatter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def run_config(path: str, heads: bool = False) -> RunConfig:
    """The typed config of a run's YAML (`heads`: also build every method's head, which imports torch)."""
    from sphere.config import load_config, typed

    return typed(load_config(path, heads=heads))


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make the parser report a bad command line as every other user error: one line
    `<prog>: <option>: <what is wrong>` and exit status 2 (argparse's own adds its usage lines)."""

    def error(message: str) -> NoReturn:
        required, unknown = "the following arguments are required: ", "unrecognized arguments: "
        if message.startswith(required):
            message = f"{message[len(required) :]}: required (see --help)"
        elif message.startswith(unknown):
            message = f"{message[len(unknown) :]}: not an option of {parser.prog} (see --help)"
        elif message.startswith("argument "):
            message = message[len("argument ") :]
        print(f"{parser.prog}: {' '.join(message.splitlines())}", file=sys.stderr)
        sys.exit(2)

    parser.error = error  # type: ignore[method-assign]


PACKAGE = Path(__file__).resolve().parents[1]
LOOKED_UP: set[tuple[str, str]] = set()


@cache
def _tree(module: str) -> ast.Module:
    parts = module.split(".")
    if parts[0] != "sphere":
        raise ValueError(f"{module}: only sphere's own modules")
    path = PACKAGE.joinpath(*parts[1:])
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return ast.parse(source.read_text(), str(source))


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = <expr>` and `NAME: T = <expr>`."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
    return found


def _value(node: ast.expr, tree: ast.Module, where: str) -> Any:
    if isinstance(node, ast.Name):
        constants = _constants(tree)
        if node.id not in constants:
            raise LookupError(f"{where}: default {node.id} is not a module-level constant")
        return _value(constants[node.id], tree, where)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise LookupError(f"{where}: default {ast.unparse(node)} is not a literal") from None


def _setting_default(node: ast.expr) -> ast.expr:
    """The default of a run-config field `name: T = setting(<default>, ...)` (sphere.config.fields), else `node`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setting":
        given = [k.value for k in node.keywords if k.arg == "default"]
        return node.args[0] if node.args else given[0] if given else node
    return node


def default(target: str, name: str) -> Any:
    """The default of parameter (or dataclass field, also a run-config `setting(...)` field) `name` of `target`,
    'sphere.module:function' or 'sphere.module:Class'; literals and module-level constants only. Tuples come back
    as tuples."""
    module, qualname = target.split(":")
    tree = _tree(module)
    where = f"{target}({name})"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == qualname:
            args = node.args
            positional = args.posonlyargs + args.args
            pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
            for arg, value in pairs:
                if arg.arg == name:
                    LOOKED_UP.add((target, name))
                    return _value(value, tree, where)
            raise LookupError(f"{where}: no parameter with a default of that name")
        if isinstance(node, ast.ClassDef) and node.name == qualname:
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id == name
                    and item.value is not None
                ):
                    LOOKED_UP.add((target, name))
                    return _value(_setting_default(item.value), tree, where)
            raise LookupError(f"{where}: no field with a default of that name")
    raise LookupError(f"{target}: not a top-level function or class")


def constant(target: str) -> Any:
    """A module-level literal constant, 'sphere.module:NAME' (choices lists, for instance)."""
    module, name = target.split(":")
    tree = _tree(module)
    LOOKED_UP.add((target, ""))
    return _value(ast.Name(id=name), tree, target)
