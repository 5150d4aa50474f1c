"""Every loss head by name, read from the source of `sphere/losses/*.py` without importing it (no torch).

A head is one file: the loss name is the file name (`sphere/losses/cosface.py` is loss `cosface`), the file
holds one class marked `@register(<parameter>=<Range>, ...)` (sphere.losses.registry), its parameters and
their defaults are its `__init__` signature beyond `feature_dim, num_classes`, and `needs_pairs = True` in
the class body asks for P x K batches. This module parses those files with `ast`: the config check reads
names, parameters and ranges from here, and the torch registry checks each imported class agrees.

The decorator's keyword expressions are evaluated in a small namespace: `Range`, `math`, the constants of
`sphere.losses.ranges` (`**ANNEALING` included) and the module's own top-level constants that evaluate there.
A class that defines no `__init__` (or no `needs_pairs`) takes it from its base, followed through
`from sphere.losses.<module> import <Base>` or a class of the same file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sphere.losses.ranges import MEANING, Range, names

FOLDER = Path(__file__).resolve().parent
NOT_HEADS = frozenset({"__init__", "base", "catalog", "common", "ranges", "registry"})
FIXED = ("feature_dim", "num_classes")  # the arguments every head takes first, not parameters


class CatalogError(ValueError):
    """A head file the catalogue cannot read (a programming error in sphere/losses, not bad user input)."""


@dataclass(frozen=True)
class LossSpec:
    """One loss head as its file declares it."""

    name: str
    class_name: str
    defaults: dict[str, Any] = field(default_factory=dict)  # parameter -> default, in signature order
    ranges: dict[str, Range] = field(default_factory=dict)
    needs_pairs: bool = False

    @property
    def params(self) -> list[str]:
        return list(self.defaults)


def catalog(folder: Path = FOLDER) -> dict[str, LossSpec]:
    """name -> LossSpec for every head file of `folder` (sphere/losses); re-read when a file is added, removed or
    edited. Imports `from sphere.losses.<module>` resolve in `folder`, else in sphere/losses."""
    stamp = tuple((p.stem, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(Path(folder).glob("*.py")))
    return _read(Path(folder), stamp)


def loss_names() -> list[str]:
    return sorted(catalog())


def spec(name: str) -> LossSpec:
    """The head called `name` (KeyError for an unknown loss)."""
    return catalog()[name]


def loss_params(name: str) -> list[str]:
    """The parameter names a loss accepts, in its signature's order (KeyError for an unknown loss)."""
    return spec(name).params


def loss_defaults(name: str) -> dict[str, Any]:
    return dict(spec(name).defaults)


def needs_pairs(name: str) -> bool:
    return spec(name).needs_pairs


def param_errors(loss: str, params: dict) -> list[tuple[str, str]]:
    """(parameter, message) for every parameter outside its head's declared range (none for an unknown loss)."""
    declared = catalog()[loss].ranges if loss in catalog() else {}
    return [
        (
            name,
            f"{value!r} is not allowed; {loss} {MEANING.get(name, 'parameter')} {name} takes "
            f"{declared[name].describe()}",
        )
        for name, value in params.items()
        if name in declared and not declared[name].accepts(value)
    ]


@cache
def _read(folder: Path, stamp: tuple) -> dict[str, LossSpec]:
    modules = _Modules(folder)
    found = {}
    for name, *_ in stamp:
        if name in NOT_HEADS or name.startswith("_"):
            continue
        registered = [c for c in modules.tree(name).body if isinstance(c, ast.ClassDef) and _decorator(c)]
        if len(registered) > 1:
            raise CatalogError(f"{modules.path(name)}: one head per file, found {[c.name for c in registered]}")
        if registered:
            found[name] = _describe(modules, name, registered[0])
    return found


class _Modules:
    """Parsed head modules and their top-level namespaces, each read once per catalogue."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._trees: dict[str, ast.Module] = {}

    def path(self, module: str) -> Path:
        path = self.folder / f"{module}.py"
        return path if path.exists() else FOLDER / f"{module}.py"

    def tree(self, module: str) -> ast.Module:
        if module not in self._trees:
            path = self.path(module)
            self._trees[module] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        return self._trees[module]

    def namespace(self, module: str) -> dict[str, Any]:
        """`Range`, `math`, the shared constants, then the module's own constants that evaluate with them."""
        space = names()
        for node in self.tree(module).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    space[node.targets[0].id] = _evaluate(node.value, space, self.path(module))
                except Exception:  # noqa: BLE001  # a constant that needs torch is simply not usable there
                    continue
        return space

    def base_class(self, module: str, cls: ast.ClassDef) -> tuple[str, ast.ClassDef] | None:
        """The (module, class) of cls's first base when it is a head-side class we can read, else None."""
        if not cls.bases or not isinstance(cls.bases[0], ast.Name):
            return None
        base = cls.bases[0].id
        for node in self.tree(module).body:
            if isinstance(node, ast.ClassDef) and node.name == base:
                return module, node
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sphere.losses."):
                for alias in node.names:
                    if (alias.asname or alias.name) == base:
                        other = node.module.rsplit(".", 1)[1]  # type: ignore[union-attr]
                        for candidate in self.tree(other).body:
                            if isinstance(candidate, ast.ClassDef) and candidate.name == alias.name:
                                return other, candidate
        return None


def _decorator(cls: ast.ClassDef) -> ast.Call | None:
    for node in cls.decorator_list:
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "register") or (
                isinstance(func, ast.Attribute) and func.attr == "register"
            ):
                return node
    return None


def _evaluate(expr: ast.expr, space: dict[str, Any], path: Path) -> Any:
    return eval(compile(ast.Expression(expr), str(path), "eval"), {"__builtins__": {}}, dict(space))  # noqa: S307


def _describe(modules: _Modules, name: str, cls: ast.ClassDef) -> LossSpec:
    path = modules.path(name)
    decorator = _decorator(cls)
    assert decorator is not None
    if decorator.args:
        raise CatalogError(f"{path}: @register takes keyword ranges only (the loss name is the file name)")
    space = modules.namespace(name)
    declared: dict[str, Any] = {}
    for keyword in decorator.keywords:
        value = _evaluate(keyword.value, space, path)
        declared.update(value if keyword.arg is None else {keyword.arg: value})
    defaults = _defaults(modules, name, cls)
    for param, value in declared.items():
        if not isinstance(value, Range):
            raise CatalogError(f"{path}: @register({param}=...) must be a Range, got {value!r}")
        if param not in defaults:
            raise CatalogError(f"{path}: @register names {param!r}, not a parameter of {cls.name}.__init__")
    return LossSpec(name, cls.name, defaults, declared, _needs_pairs(modules, name, cls))


def _defaults(modules: _Modules, module: str, cls: ast.ClassDef) -> dict[str, Any]:
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None:
        base = modules.base_class(module, cls)
        return {} if base is None else _defaults(modules, *base)
    path, args = modules.path(module), init.args
    positional = [a.arg for a in args.posonlyargs + args.args][1:]  # without self
    if positional[: len(FIXED)] != list(FIXED):
        raise CatalogError(f"{path}: {cls.name}.__init__ must start (self, {', '.join(FIXED)}, ...)")
    params = positional[len(FIXED) :] + [a.arg for a in args.kwonlyargs]
    count = len(positional) - len(FIXED)
    values = ([] if len(args.defaults) < count else args.defaults[len(args.defaults) - count :]) + args.kw_defaults
    if len(values) != len(params) or any(v is None for v in values) or args.vararg or args.kwarg:
        raise CatalogError(f"{path}: every parameter of {cls.name}.__init__ beyond {', '.join(FIXED)} needs a default")
    space = modules.namespace(module)
    return {n: _evaluate(v, space, path) for n, v in zip(params, values) if v is not None}


def _needs_pairs(modules: _Modules, module: str, cls: ast.ClassDef) -> bool:
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "needs_pairs":
            return bool(ast.literal_eval(value))
    base = modules.base_class(module, cls)
    return False if base is None else _needs_pairs(modules, *base)
