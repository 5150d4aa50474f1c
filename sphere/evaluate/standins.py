"""Stand-ins the default DAG scores, written in the real formats from its synthetic LFW-style photos:
an insightface `.bin` of the aligned test pairs, and an IJB-C-format set (loose crops, 5 points,
templates and media) built from the raw test photos and their landmarks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from sphere.evaluate.sources import read_landmark_list
from sphere.formats.bin_writer import bin_from_store
from sphere.formats.ijb import meta_paths


def ijb_from_photos(
    root: Path, landmarks_file: Path, out: Path, name: str = "ijbc", impostors_per_template: int = 20, seed: int = 0
) -> dict[str, Path]:
    """Each identity's photos (sorted) split into two templates (first half / second half); within a
    template, photos pair up into media (two photos of one 'video'). Genuine pairs: the two templates of
    each identity; impostors: `impostors_per_template` random other-identity templates per template.
    1:N: gallery G1 = first templates of even identities, G2 = of odd ones, probes = second templates.
    Detector scores are 1 (the landmarks are the generator's)."""
    rng = np.random.default_rng(seed)
    points = read_landmark_list(landmarks_file)
    by_identity: dict[str, list[str]] = {}
    for path in sorted(points):
        by_identity.setdefault(path.split("/")[0], []).append(path)
    identities = [k for k, v in by_identity.items() if len(v) >= 2]
    crops = Path(out) / "loose_crop"
    if crops.exists():
        shutil.rmtree(crops)
    crops.mkdir(parents=True)
    paths = meta_paths(Path(out) / "meta", name)
    paths["faces"].parent.mkdir(parents=True, exist_ok=True)
    faces: list[str] = []
    marks: list[str] = []
    tid_subject: dict = {}
    search: dict[str, list] = {"gallery_G1": [], "gallery_G2": [], "probe": []}
    template = 0
    for s, identity in enumerate(identities):
        photos = by_identity[identity]
        half = len(photos) // 2
        for part, group in enumerate((photos[:half], photos[half:])):
            template += 1
            tid_subject[template] = s + 1
            key = "probe" if part else ("gallery_G1" if s % 2 == 0 else "gallery_G2")
            for k, photo in enumerate(group):
                image = f"{len(faces) + 1}.jpg"
                shutil.copyfile(Path(root) / photo, crops / image)
                media = template * 100 + k // 2
                faces.append(f"{image} {template} {media}")
                marks.append(f"{image} {' '.join(f'{v:.2f}' for v in points[photo].reshape(-1))} 1.0")
                search[key].append(f"{template},{s + 1},loose_crop/{image},{media}")
    paths["faces"].write_text("\n".join(faces) + "\n")
    paths["landmarks"].write_text("\n".join(marks) + "\n")
    pairs = [f"{2 * s + 1} {2 * s + 2} 1" for s in range(len(identities))]
    for t in range(1, template + 1):
        others = [
            u
            for u in rng.choice(template, min(impostors_per_template, template), replace=False) + 1
            if tid_subject[u] != tid_subject[t]
        ]
        pairs += [f"{t} {u} 0" for u in others]
    paths["pairs"].write_text("\n".join(pairs) + "\n")
    for key, rows in search.items():
        paths[key].write_text("TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n" + "\n".join(rows) + "\n")
    return paths


def write_standins(store: Path, pairs: Path, root: Path, landmarks: Path, out: Path) -> None:
    """`out/lfw.bin` (aligned test pairs) and `out/ijbc/` (meta + loose_crop)."""
    bin_from_store(store, pairs, Path(out) / "lfw.bin")
    ijb_from_photos(root, landmarks, Path(out) / "ijbc")
