"""Packed stores from raw photos with their 5-point landmarks (docs/paper.md §3; docs/formats.md, Store), or from
an insightface RecordIO set whose faces are aligned already."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Set
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sphere.align.similarity import align_face, template_for
from sphere.errors import InputError
from sphere.formats.detections import read_detections
from sphere.formats.image import read_rgb
from sphere.formats.landmarks import read_landmarks
from sphere.formats.recordio import RecordIOReader
from sphere.formats.sources import as_roots, identity_of, resolve
from sphere.store.io import LANDMARK_COLUMNS, StoreWriter

CHUNK = 1024  # faces aligned and written at a time


def build_index(
    paths: list[str], landmarks: list[np.ndarray], detection: list[str], identities: list[str] | None = None
) -> pd.DataFrame:
    """Index rows: the identity is a path's folder unless given; labels follow sorted identity order."""
    identities = identities if identities is not None else [p.split("/")[0] for p in paths]
    label_of = {name: i for i, name in enumerate(sorted(set(identities)))}
    coords = np.asarray(landmarks, np.float64).reshape(len(paths), 10)
    index = pd.DataFrame(coords, columns=LANDMARK_COLUMNS)
    index.insert(0, "path", paths)
    index.insert(1, "identity", identities)
    index.insert(2, "label", [label_of[i] for i in identities])
    index["detection"] = detection
    return index


def align_with_landmarks(
    root: Path | list,
    landmarks_file: Path,
    out_dir: Path,
    size: tuple[int, int] = (112, 96),
    progress: bool = True,
    detections: Path | None = None,
    min_images: int = 1,
    exclude: Set[str] = frozenset(),
) -> dict:
    """Crop every image named in `landmarks_file` and write the store; returns the detection counts.

    `root` is one folder the listed paths are relative to, or several whose images form one identity space
    (paths `<root name>/<identity>/<file>`, see `sphere.formats.sources`). `detections` (CSV with columns path,
    detection, from `sphere detect-landmarks`) gives each image's outcome ('detected' or 'fallback'); without
    it every row is 'given'. Identities in `exclude` or with fewer than `min_images` listed images are left out.
    """
    roots = as_roots(root)
    landmarks = read_landmarks(landmarks_file)
    if not landmarks:
        raise InputError(f"{landmarks_file}: no landmarks listed")
    outcome = read_detections(detections) if detections is not None else {}
    if detections is not None and (absent := sorted(set(landmarks) - set(outcome))):
        raise InputError(f"{detections}: no detection outcome for {len(absent)} listed image(s), e.g. {absent[0]!r}")
    identity = {p: identity_of(roots, p) for p in landmarks}
    identity = {p: i for p, i in identity.items() if i not in exclude}
    counts = Counter(identity.values())
    paths = sorted(p for p in identity if counts[identity[p]] >= min_images)
    if not paths:
        raise InputError(f"{landmarks_file}: no identity with at least {min_images} listed image(s)")
    states = [outcome.get(p, "given") for p in paths]
    index = build_index(paths, [landmarks[p] for p in paths], states, [identity[p] for p in paths])
    # the bar closes before an error propagates, so the error is the last line a user sees
    bar = tqdm(total=len(paths), desc=f"align {Path(out_dir).name}", disable=not progress)
    with bar, StoreWriter(out_dir, len(paths), size) as writer:  # chunk by chunk: memory for CHUNK faces, any size
        for start in range(0, len(paths), CHUNK):
            chunk = paths[start : start + CHUNK]
            crops = np.empty((len(chunk), *size, 3), np.uint8)
            for i, rel in enumerate(chunk):
                image = read_rgb(resolve(roots, rel)[0])
                try:
                    crops[i] = align_face(image, landmarks[rel], size)
                except (ValueError, np.linalg.LinAlgError) as error:  # name the list the image and its points came from
                    raise InputError(f"{landmarks_file}: {rel}: {error}") from None
                bar.update()
            writer.add(crops, index.iloc[start : start + CHUNK])
    return {
        "images": len(paths),
        "identities": len({identity[p] for p in paths}),
        "dropped_images": len(landmarks) - len(paths),
        **Counter(states),
    }


def _decode_chunk(task: tuple[Path, Path, list[int], tuple[int, ...]]) -> np.ndarray:
    """The faces of some image records, each cut to `size` as `sphere evaluate` fits a 112x112 crop."""
    from sphere.evaluate.faces import fit

    rec, idx, keys, size = task
    with RecordIOReader(rec, idx) as reader:
        return np.stack([fit(reader.image(key), (size[0], size[1])) for key in keys])


def kept_classes(classes: np.ndarray, exclude: Set[str], min_images: int) -> np.ndarray:
    """Which records a RecordIO store keeps: their class is not in `exclude` (class numbers, padded or plain) and has
    `min_images` records or more."""
    values, counts = np.unique(classes, return_counts=True)
    dropped = values[counts < min_images].tolist() + [int(name) for name in exclude]
    return ~np.isin(classes, dropped)


def store_from_recordio(
    rec: Path,
    idx: Path,
    out_dir: Path,
    size: tuple[int, int] = (112, 96),
    workers: int = 1,
    chunk: int = 512,
    progress: bool = True,
    exclude: Set[str] = frozenset(),
    min_images: int = 1,
) -> dict:
    """The store of an insightface RecordIO training set (`train.rec` + `train.idx`, e.g. faces_webface_112x112):
    no detection (the faces are aligned already, onto insightface's template, which is SphereFace's shifted
    8 px right: sphere.align.similarity.INSIGHTFACE_112x112), each 112x112 face cut to the crop's aspect about
    its centre and resized (`sphere.evaluate.faces.fit`, the 112x96 SphereFace crop), the class of each record
    as its label. Written chunk by chunk (memory for `workers` chunks, whatever the set's size); the index
    lists each face as `<class>/<key>` with the template's landmarks and detection 'given'. The identity filters
    are the folder stores': classes named in `exclude` (class numbers, as the index's identities or plain) and
    those with fewer than `min_images` records are left out before any face is decoded."""
    reader = RecordIOReader(rec, idx)
    with reader:
        keys = reader.image_keys()
        if not keys:
            raise InputError(f"{rec}: no image records")
        classes = np.fromiter((reader.class_of(k) for k in keys), np.int64, len(keys))
    keep = kept_classes(classes, exclude, min_images)
    if not keep.any():
        raise InputError(f"{rec}: no class left after --exclude and --min-images {min_images}")
    keys, classes = [k for k, kept in zip(keys, keep) if kept], classes[keep]
    names = np.unique(classes)
    labels = np.searchsorted(names, classes)  # the record classes, made contiguous where some are unused
    width = max(6, len(str(int(names[-1]))))
    template = template_for(*size).reshape(1, 10)
    tasks = [(Path(rec), Path(idx), keys[s : s + chunk], tuple(size)) for s in range(0, len(keys), chunk)]
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        decoded = pool.imap(_decode_chunk, tasks) if pool else map(_decode_chunk, tasks)
        bar = tqdm(total=len(keys), desc=f"store {Path(out_dir).name}", disable=not progress, unit="img")
        with bar, StoreWriter(out_dir, len(keys), size) as writer:
            for (_, _, chunk_keys, _), faces in zip(tasks, decoded):
                start = writer.written
                identities = [str(c).zfill(width) for c in classes[start : start + len(chunk_keys)]]
                index = build_index(
                    [f"{name}/{key}" for name, key in zip(identities, chunk_keys)],
                    list(np.repeat(template, len(chunk_keys), 0)),
                    ["given"] * len(chunk_keys),
                    identities,
                )
                index["label"] = labels[start : start + len(chunk_keys)]
                writer.add(faces, index)
                bar.update(len(chunk_keys))
    finally:
        if pool:
            pool.terminate()
    return {"images": len(keys), "identities": len(names), "given": len(keys)}
