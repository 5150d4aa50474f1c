"""Reader for CASIA-WebFace-like image folders, `<identity>/<file>.jpg|png` (docs/formats.md, Training images)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sphere.errors import InputError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def list_image_folder(root: Path, min_images: int = 1) -> pd.DataFrame:
    """List the images of `root/<identity>/<file>` as a table with columns path, identity, label.

    path is relative to `root` (POSIX separators); identities with fewer than `min_images` images are
    dropped; label numbers the remaining identities 0..C-1 in sorted identity order. Hidden files and
    files with other suffixes are ignored; rows are sorted by identity then path. Raises when `root`
    is not a folder or no identity is left.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    rows = []
    for ident in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(ident.iterdir()):
            if f.is_file() and not f.name.startswith(".") and f.suffix.lower() in IMAGE_SUFFIXES:
                rows.append((f.relative_to(root).as_posix(), ident.name))
    table = pd.DataFrame(rows, columns=["path", "identity"])
    counts = table["identity"].value_counts()
    table = table[table["identity"].map(counts) >= min_images].reset_index(drop=True)
    if table.empty:
        raise InputError(
            f"{root}: no identity folder with at least {min_images} image(s) ({', '.join(sorted(IMAGE_SUFFIXES))})"
        )
    names = sorted(table["identity"].unique())
    table["label"] = table["identity"].map({n: i for i, n in enumerate(names)}).astype("int64")
    return table
