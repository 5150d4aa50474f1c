"""IJB-B / IJB-C for `sphere evaluate`: meta files -> image features -> templates -> 1:1 and 1:N.

Images are found as insightface finds them: by the template and media ids of `<set>_face_tid_mid.txt`;
a 1:N file contributes only its template ids and subjects (its FILENAME and SIGHTING_ID columns are not
used, as in insightface's `image2template_feature`), so renamed loose crops cannot join another template.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sphere.errors import InputError
from sphere.evaluate.faces import embed_files
from sphere.evaluate.sources import Source
from sphere.evaluate.verify import degenerate_rows
from sphere.formats.embeddings import Embeddings
from sphere.formats.ijb import (
    FaceTable,
    meta_paths,
    read_1n_csv,
    read_5pts_score,
    read_face_tid_mid,
    read_template_pairs,
)
from sphere.protocols.ijb import (
    READINGS,
    image_features,
    search_1toN,
    template_features,
    template_rows,
    verify_1to1,
)

ONE_TO_N_NOTE = (
    "1:N templates from <set>_face_tid_mid.txt by template and media id (insightface ijb_evals.py "
    "image2template_feature), with the 1:1 image features (flip, norm and detector switches included)"
)


def _image_embeddings(source: Source, images: list[str], root: Path | None, landmarks: dict | None) -> Embeddings:
    if source.kind != "model":
        return source.precomputed()
    if root is None:
        raise InputError("--root: --model on IJB needs the folder of the images (loose_crop)")
    embedder = source.embedder()
    align = source.align if source.align != "none" or landmarks is None else "landmarks"
    face, flip, record = embed_files(
        embedder, Path(root), images, align, landmarks, source.mtcnn_weights, source.device, source.mtcnn_min_face
    )
    source.record.update(record)
    return Embeddings(face, flip, images, str(source.model))


def refuse_degenerate(emb: Embeddings) -> None:
    """Refuse image features with zero norm or non-finite values (a model's; a file's are checked on reading)."""
    bad = degenerate_rows(emb)
    if len(bad):
        first = emb.names[bad[0]] if emb.names is not None else int(bad[0])
        raise InputError(
            f"{emb.source}: {len(bad)} of {len(emb)} image features are zero or non-finite (first: {first!r}); "
            "no cosine can be taken"
        )


def check_both_labels(path: Path, labels: np.ndarray, which: str = "") -> None:
    """Refuse template pairs that are all genuine or all impostor: TAR at FAR needs both."""
    if labels.all() or not labels.any():
        kind, other = ("genuine (label 1)", "impostor") if labels.all() else ("impostor (label 0)", "genuine")
        raise InputError(
            f"{path}: all {len(labels)} {which}template pairs are {kind}; TAR at FAR needs {other} pairs too"
        )


def search_templates(csv: Path, faces: FaceTable, faces_file: Path) -> tuple[np.ndarray, np.ndarray]:
    """(template ids, subject of each) of a 1:N gallery or probe file, checked against the meta: every
    template must be in `faces_file` with one subject, and a FILENAME that is itself an image name of
    `faces_file` must belong to the same template there (else the names and the meta disagree)."""
    table = read_1n_csv(csv)
    known = np.isin(table.templates, faces.templates)
    if not known.all():
        k = int(np.flatnonzero(~known)[0])
        raise InputError(
            f"{csv}:{k + 2}: template {table.templates[k]} is not in {faces_file} "
            f"({int((~known).sum())} of {len(known)} rows name such templates)"
        )
    owner = dict(zip(faces.images, faces.templates.tolist()))
    for k, (name, t) in enumerate(zip(table.filenames, table.templates.tolist())):
        if owner.get(name, t) != t:
            raise InputError(
                f"{csv}:{k + 2}: {name!r} is in template {owner[name]} in {faces_file} but in template {t} "
                f"here; the names and the meta disagree"
            )
    ids, first = np.unique(table.templates, return_index=True)
    subjects = table.subjects[first]
    clash = table.subjects != subjects[np.searchsorted(ids, table.templates)]
    if clash.any():
        k = int(np.flatnonzero(clash)[0])
        raise InputError(
            f"{csv}:{k + 2}: template {table.templates[k]} has subject {table.subjects[k]} here but "
            f"{subjects[np.searchsorted(ids, table.templates[k])]} on an earlier line"
        )
    return ids, subjects


def one_to_n(
    paths: dict[str, Path], faces: FaceTable, ids: np.ndarray, templates: np.ndarray, reading: str
) -> tuple[dict, int]:
    """(search result per gallery, 1:N templates dropped for lack of any embedded image)."""

    def pick(key: str) -> tuple[np.ndarray, np.ndarray]:
        wanted, subjects = search_templates(paths[key], faces, paths["faces"])
        rows, found = template_rows(ids, wanted)
        dropped[0] += int((~found).sum())
        return subjects[found], templates[rows[found]]

    dropped = [0]
    p_subj, p_feats = pick("probe")
    result = {}
    for g in ("gallery_G1", "gallery_G2"):
        g_subj, g_feats = pick(g)
        result[g.split("_")[1]] = search_1toN(p_subj, p_feats, g_subj, g_feats, reading=reading)
    return result, dropped[0]


def score_ijb(
    benchmark: str,
    source: Source,
    meta: Path,
    root: Path | None = None,
    flip: bool = True,
    detector_score: bool = False,
    norm_score: bool = False,
    allow_missing: bool = False,
    one_to_n_search: bool = True,
    reading: str = "insightface",
) -> dict:
    """1:1 TAR at FAR and, where the 1:N files are present, CMC and TPIR at FPIR per gallery, both under
    `reading` (sphere.protocols.ijb.READINGS; the other reading is reported beside it)."""
    if reading not in READINGS:
        raise InputError(f"unknown IJB reading {reading!r}; expected one of {', '.join(READINGS)}")
    start = time.perf_counter()
    paths = meta_paths(meta, benchmark)
    faces = read_face_tid_mid(paths["faces"])
    t1, t2, labels = read_template_pairs(paths["pairs"])
    check_both_labels(paths["pairs"], labels)
    scores = landmarks = None
    if detector_score or (source.kind == "model" and source.align == "none"):
        names, points, det = read_5pts_score(paths["landmarks"])
        if names != faces.images:
            raise InputError(
                f"{paths['landmarks']}: its {len(names)} images are not those of {paths['faces']} "
                f"({len(faces.images)}) in the same order"
            )
        if detector_score and (det < 0).any():
            k = int(np.flatnonzero(det < 0)[0])
            raise InputError(
                f"{paths['landmarks']}:{k + 1}: detector score {det[k]} is negative; --detector-score weights "
                "image features by it"
            )
        scores, landmarks = det, dict(zip(names, points))
    emb = _image_embeddings(source, faces.images, root, landmarks)
    refuse_degenerate(emb)
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
    r = rows[have]
    feats = image_features(
        emb.face[r],
        None if emb.flip is None else emb.flip[r],
        None if scores is None else scores[have],
        flip,
        detector_score,
        norm_score,
    )
    ids, templates = template_features(feats, faces.templates[have], faces.medias[have])
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
        check_both_labels(paths["pairs"], labels, "scored ")
    result = verify_1to1(templates, rows1, rows2, labels, reading)
    result.update(
        benchmark=benchmark,
        rule="insightface eval_ijbc.py template pooling",
        readings=READINGS,
        options={"flip": flip and emb.flip is not None, "detector_score": detector_score, "norm_score": norm_score},
        pairs_scored=int(known.sum()),
        pairs_total=len(t1),
        standard=bool(have.all() and known.all()),
        features=source.record,
    )
    if one_to_n_search and all(paths[k].is_file() for k in ("gallery_G1", "gallery_G2", "probe")):
        result["one_to_n"], dropped = one_to_n(paths, faces, ids, templates, reading)
        result["one_to_n_note"] = ONE_TO_N_NOTE
        if dropped:
            result["one_to_n_templates_dropped"] = dropped
            result["standard"] = False
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
