"""IJB-B / IJB-C for `sphere evaluate`: meta files -> image features -> templates -> 1:1 and 1:N."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.evaluate.faces import embed_files
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import Embeddings
from sphere.formats.ijb import (
    meta_paths,
    read_1n_csv,
    read_5pts_score,
    read_face_tid_mid,
    read_template_pairs,
)
from sphere.protocols.ijb import (
    image_features,
    search_1toN,
    template_features,
    template_rows,
    verify_1to1,
)


def _image_embeddings(source: Source, images: list[str], root: Path | None, landmarks: dict | None) -> Embeddings:
    if source.kind != "model":
        return source.precomputed()
    if root is None:
        raise InputError("--model on IJB needs --root, the folder of the images (loose_crop)")
    embedder = source.embedder()
    align = source.align if source.align != "none" or landmarks is None else "landmarks"
    face, flip, record = embed_files(
        embedder, Path(root), images, align, landmarks, source.mtcnn_weights, source.device, source.mtcnn_min_face
    )
    source.record.update(record)
    return Embeddings(face, flip, images, str(source.model))


def _search(emb: Embeddings, feats_of, csv: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(template ids, subject per template, template features) of a 1:N gallery or probe file."""
    table = read_1n_csv(csv)
    rows = emb.rows_for(table.filenames)
    if (rows < 0).any():
        k = int(np.flatnonzero(rows < 0)[0])
        raise InputError(
            f"{csv}:{k + 2}: {table.filenames[k]!r} has no embedding in {emb.source} "
            f"({int((rows < 0).sum())} of {len(rows)} rows lack one)"
        )
    medias = table.medias if table.medias is not None else np.arange(len(rows))
    ids, feats = template_features(feats_of(rows), table.templates, medias)
    subject = dict(zip(table.templates.tolist(), table.subjects.tolist()))
    return ids, np.array([subject[t] for t in ids.tolist()]), feats


def score_ijb(
    benchmark: str,
    source: Source,
    meta: Path,
    root: Path | None = None,
    flip: bool = True,
    detector_score: bool = False,
    norm_score: bool = False,
    allow_missing: bool = False,
    one_to_n: bool = True,
) -> dict:
    """1:1 TAR at FAR and, where the 1:N files are present, CMC and TPIR at FPIR per gallery."""
    start = time.perf_counter()
    paths = meta_paths(meta, benchmark)
    faces = read_face_tid_mid(paths["faces"])
    t1, t2, labels = read_template_pairs(paths["pairs"])
    scores = landmarks = None
    if detector_score or (source.kind == "model" and source.align == "none"):
        names, points, det = read_5pts_score(paths["landmarks"])
        if names != faces.images:
            raise InputError(
                f"{paths['landmarks']}: its {len(names)} images are not those of {paths['faces']} "
                f"({len(faces.images)}) in the same order"
            )
        scores, landmarks = det, dict(zip(names, points))
    emb = _image_embeddings(source, faces.images, root, landmarks)
    rows = emb.rows_for(faces.images)
    have = rows >= 0
    if not have.all():
        k = int(np.flatnonzero(~have)[0])
        if not allow_missing:
            raise InputError(
                f"{paths['faces']}:{k + 1}: {faces.images[k]!r} has no embedding in {emb.source} "
                f"({int((~have).sum())} of {len(rows)} images lack one; the file has {len(emb)} rows; "
                f"--allow-missing scores the rest, marked non-standard)"
            )

    def feats_of(r: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return image_features(
            emb.face[r],
            None if emb.flip is None else emb.flip[r],
            weights,
            flip,
            detector_score and weights is not None,
            norm_score,
        )

    ids, templates = template_features(
        feats_of(rows[have], None if scores is None else scores[have]), faces.templates[have], faces.medias[have]
    )
    (rows1, found1), (rows2, found2) = template_rows(ids, t1), template_rows(ids, t2)
    known = found1 & found2
    if not known.all() and not allow_missing:
        k = int(np.flatnonzero(~known)[0])
        raise InputError(
            f"{paths['pairs']}:{k + 1}: template {t1[k] if not found1[k] else t2[k]} has no image "
            f"with an embedding ({int((~known).sum())} of {len(t1)} pairs lack one)"
        )
    if not known.all():
        rows1, rows2, labels = rows1[known], rows2[known], labels[known]
    result = verify_1to1(templates, rows1, rows2, labels)
    result.update(
        benchmark=benchmark,
        rule="insightface eval_ijbc.py template pooling",
        options={"flip": flip and emb.flip is not None, "detector_score": detector_score, "norm_score": norm_score},
        pairs_scored=int(known.sum()),
        pairs_total=len(t1),
        standard=bool(have.all() and known.all()),
        features=source.record,
    )
    if one_to_n and all(paths[k].is_file() for k in ("gallery_G1", "gallery_G2", "probe")):
        p_ids, p_subj, p_feats = _search(emb, feats_of, paths["probe"])
        result["one_to_n"] = {}
        for g in ("gallery_G1", "gallery_G2"):
            _, g_subj, g_feats = _search(emb, feats_of, paths[g])
            result["one_to_n"][g.split("_")[1]] = search_1toN(p_ids, p_subj, p_feats, g_subj, g_feats)
        result["one_to_n_note"] = "1:N templates pool unweighted features; media = SIGHTING_ID where given"
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
