"""A synthetic IJB-B/C stand-in written in the real meta-file format, with identity-structured
features (an embeddings `.npz`), to test and time the IJB protocols at full size without the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sphere.formats.embeddings import write_embeddings
from sphere.formats.ijb import meta_paths


def write_ijb_standin(
    out_dir: Path | str,
    name: str = "ijbc",
    subjects: int = 100,
    templates_per_subject: int = 4,
    media_per_template: int = 2,
    images_per_media: int = 2,
    impostors_per_template: int = 20,
    dim: int = 64,
    noise: float = 1.0,
    seed: int = 0,
) -> dict[str, Path]:
    """Write `<name>_face_tid_mid.txt`, `_template_pair_label.txt`, `_name_5pts_score.txt`, the three
    1:N csv files (G1: first template of even subjects, G2: of odd subjects; probes: the other
    templates) and `embeddings.npz` (face and flip halves). Template pairs: every genuine pair of a
    subject's templates and `impostors_per_template` random impostor pairs per template."""
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    paths = meta_paths(out / "meta", name)
    (out / "meta").mkdir(parents=True, exist_ok=True)
    n_templates = subjects * templates_per_subject
    template_subject = np.repeat(np.arange(subjects), templates_per_subject)
    per_template = media_per_template * images_per_media
    n_images = n_templates * per_template
    image_template = np.repeat(np.arange(n_templates), per_template)
    image_media = image_template * media_per_template + np.tile(
        np.repeat(np.arange(media_per_template), images_per_media), n_templates
    )
    centres = rng.normal(size=(subjects, dim)).astype(np.float32)
    media_shift = rng.normal(scale=noise, size=(n_templates * media_per_template, dim)).astype(np.float32)
    face = (
        centres[template_subject[image_template]]
        + media_shift[image_media]
        + rng.normal(scale=noise, size=(n_images, dim)).astype(np.float32)
    )
    flip = face + rng.normal(scale=0.3 * noise, size=face.shape).astype(np.float32)
    images = [f"{i + 1}.jpg" for i in range(n_images)]
    tids, mids = image_template + 1, image_media + 1
    np.savetxt(paths["faces"], np.c_[np.arange(1, n_images + 1), tids, mids], fmt="%d.jpg %d %d")
    landmarks = rng.uniform(20, 90, size=(n_images, 10))
    scores = rng.uniform(0.5, 1.0, n_images)
    with open(paths["landmarks"], "w") as fh:
        fh.writelines(
            f"{img} {' '.join(f'{v:.2f}' for v in lm)} {s:.4f}\n" for img, lm, s in zip(images, landmarks, scores)
        )
    i, j = np.triu_indices(templates_per_subject, 1)
    base = np.arange(subjects)[:, None] * templates_per_subject
    genuine = np.stack([(base + i).ravel(), (base + j).ravel()], 1)
    t1 = np.repeat(np.arange(n_templates), impostors_per_template)
    t2 = rng.integers(0, n_templates, len(t1))
    impostor = np.stack([t1, t2], 1)[template_subject[t1] != template_subject[t2]]
    pairs = np.concatenate([genuine, impostor]) + 1
    labels = np.r_[np.ones(len(genuine), int), np.zeros(len(impostor), int)]
    np.savetxt(paths["pairs"], np.c_[pairs, labels], fmt="%d")
    first = np.arange(subjects) * templates_per_subject
    for key, keep in (
        ("gallery_G1", first[::2]),
        ("gallery_G2", first[1::2]),
        ("probe", np.setdiff1d(np.arange(n_templates), first)),
    ):
        rows = np.flatnonzero(np.isin(image_template, keep))
        with open(paths[key], "w") as fh:
            fh.write("TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID\n")
            fh.writelines(
                f"{tids[r]},{template_subject[image_template[r]] + 1},img/{images[r]},{mids[r]}\n" for r in rows
            )
    paths["embeddings"] = write_embeddings(out / "embeddings.npz", face, images, flip)
    return paths
