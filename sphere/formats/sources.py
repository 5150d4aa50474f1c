"""Several image-folder roots as one training set: one identity space, unique store paths (docs/formats.md, Training
images).

With one root a store path is the path relative to it, `<identity>/<file>` (so LFW pairs resolve). With
several roots (e.g. CelebA in-the-wild photos plus CelebA aligned crops, whose identity numbers are global)
each path is prefixed by its root's folder name, `<root name>/<identity>/<file>`, while the identity stays
the `<identity>` folder name: the same identity in two roots is one class.
"""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path

import pandas as pd

from sphere.errors import InputError
from sphere.formats.imagefolder import list_image_folder


def as_roots(roots: Path | str | list) -> list[Path]:
    """A root or a list of roots as a list of Paths."""
    return [Path(r) for r in roots] if isinstance(roots, (list, tuple)) else [Path(roots)]


def root_prefixes(roots: list[Path]) -> list[str]:
    """The path prefix of each root: none for a single root, else its folder name (`<i>-<name>` on a clash)."""
    if len(roots) == 1:
        return [""]
    names = [Path(r).resolve().name for r in roots]
    return [f"{i}-{n}" if names.count(n) > 1 else n for i, n in enumerate(names)]


def resolve(roots: list[Path], path: str) -> tuple[Path, str]:
    """The file behind a store path and its identity (the folder name just above the file's root-relative path)."""
    prefixes = root_prefixes(roots)
    if prefixes == [""]:
        return roots[0] / path, path.split("/")[0]
    head, _, rel = path.partition("/")
    if head not in prefixes or not rel:
        raise InputError(f"{path!r}: with several roots a path must start with one of {prefixes}")
    return roots[prefixes.index(head)] / rel, rel.split("/")[0]


def identity_of(roots: list[Path], path: str) -> str:
    return resolve(roots, path)[1]


def read_identity_list(path: Path | str) -> set[str]:
    """Identity folder names, one per line (blank lines and `#` comments ignored), e.g. those that overlap LFW."""
    from sphere.formats.text import read_lines

    return {line.split("#")[0].strip() for line in read_lines(path)} - {""}


def list_sources(roots: Path | str | list, min_images: int = 1, exclude: Set[str] = frozenset()) -> pd.DataFrame:
    """Every image of every root as (path, identity, label, file), identities merged across roots.

    Identities in `exclude` (test-set overlap, docs/paper.md §3) and those with fewer than `min_images` images over
    all roots together are dropped; labels number the rest 0..C-1 in sorted identity order; rows sorted by path.
    """
    roots = as_roots(roots)
    parts = []
    for root, prefix in zip(roots, root_prefixes(roots)):
        table = list_image_folder(root)
        table["file"] = [root / p for p in table["path"]]
        if prefix:
            table["path"] = prefix + "/" + table["path"]
        parts.append(table.drop(columns="label"))
    merged = pd.concat(parts, ignore_index=True)
    merged = merged[~merged["identity"].isin(exclude)]
    counts = merged["identity"].value_counts()
    merged = merged[merged["identity"].map(counts) >= min_images]
    if merged.empty:
        raise InputError(f"{', '.join(map(str, roots))}: no identity with at least {min_images} image(s)")
    names = sorted(merged["identity"].unique())
    merged = merged.assign(label=merged["identity"].map({n: i for i, n in enumerate(names)}).astype("int64"))
    return merged.sort_values("path").reset_index(drop=True)[["path", "identity", "label", "file"]]
