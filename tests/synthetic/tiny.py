"""Helpers shared by the tests of sphere.synthetic and of the CLI: the smallest YTF set worth testing and
a folder's bytes as a digest (namespace package: `from tests.synthetic.tiny import ...`)."""

import hashlib
from pathlib import Path

YTF = {
    "identities": 8,
    "videos_per_identity": 2,
    "frames_per_video": 3,
    "splits": 2,
    "pairs_per_split": 4,
    "raw_size": 48,
}


def digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file below `root`, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
