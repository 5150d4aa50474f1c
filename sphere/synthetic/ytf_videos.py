"""Synthetic YouTube Faces: videos in the official YTF layout with a `splits.txt` (paper Sec. 4; docs/formats.md).

Stands in for YTF when real data is absent. Each video shows one identity whose pose, light and
expression move slowly: the nuisance is interpolated across the frames between 2 or 3 sampled key
nuisances, while the scene and camera (background, clutter, clothes, glasses, occluder, colour cast,
blur, noise level, JPEG quality) stay those of the first key for the whole video; only the sensor
noise pattern changes per frame. Identities are new draws (their own random streams, tagged apart
from the train/test streams of `dataset.py`), so they are disjoint from the training identities.

Written under `out_dir`:
- `frame_images_DB/<name>/<video>/<video>.<frame>.jpg` (videos `0`, `1`, ...; frame numbers start at a
  random offset and are not zero-padded, as in YTF) and `frame_images_DB/<name>.labeled_faces.txt`
  (`name\\video\\video.frame.jpg,0,cx,cy,w,h,0.0,1`, box centre and size);
- `ytf_landmarks.txt`: 5-point landmarks per frame (paths relative to `frame_images_DB`, with
  detector-like noise), for alignment;
- `splits.txt`: header, then `split, pair, name/video, name/video, is_same`; splits are
  identity-disjoint, half same pairs (same construction as LFW View 2 in `dataset.make_pairs`);
- `manifest.json`: the config and the counts.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from sphere.config.synthetic import YTFSynthConfig
from sphere.formats.landmarks import write_landmarks

from .dataset import image_counts, make_pairs
from .identity import sample_identities
from .nuisance import Nuisance, interpolate, sample_nuisance
from .render import encode_jpeg, render

FORMAT_VERSION = 1
_TAG = 100  # first element after the seed of every random stream here (dataset.py uses 0..10)

# Fixed for a whole video (scene and camera); everything else (pose, expression, light) moves.
VIDEO_FIXED = (
    "cast_r",
    "cast_g",
    "cast_b",
    "blur",
    "noise",
    "jpeg_quality",
    "occ_kind",
    "occ_x",
    "occ_y",
    "occ_size",
    "occ_angle",
    "occ_r",
    "occ_g",
    "occ_b",
    "glasses_draw",
    "clothes_r",
    "clothes_g",
    "clothes_b",
    "bg_clutter",
    "bg_seed",
)


def ytf_name(i: int) -> str:
    return f"Synth_Video_Person_{i + 1:04d}"


def video_nuisances(cfg: YTFSynthConfig, identity: int, video: int) -> list[Nuisance]:
    """The nuisance of every frame of one video: piecewise-linear between its key nuisances."""
    rng = np.random.default_rng([cfg.seed, _TAG, 1, identity, video])
    n_keys = int(rng.integers(cfg.key_nuisances[0], cfg.key_nuisances[1] + 1))
    keys = [sample_nuisance(rng, cfg.difficulty, cfg.jpeg_quality) for _ in range(n_keys)]
    fixed = {name: getattr(keys[0], name) for name in VIDEO_FIXED}
    keys = [replace(k, **fixed) for k in keys]
    frames = []
    for f in range(cfg.frames_per_video):
        pos = f / max(cfg.frames_per_video - 1, 1) * (n_keys - 1)  # position along the key path
        k = min(int(pos), n_keys - 2)
        nu = interpolate(keys[k], keys[k + 1], float(np.clip(pos - k, 0.0, 1.0)))
        frames.append(replace(nu, noise_seed=int(rng.integers(0, 2**31 - 1))))
    return frames


def face_box(points: np.ndarray) -> tuple[int, int, int, int]:
    """A square YTF-style box (centre x, centre y, width, height) around true landmarks."""
    eyes, mouth = points[:2].mean(axis=0), points[3:].mean(axis=0)
    side = 2.8 * max(np.linalg.norm(points[1] - points[0]), np.linalg.norm(mouth - eyes))
    cx, cy = (eyes + mouth) / 2
    return round(cx), round(cy), round(side), round(side)


def _render_frame(job: tuple) -> tuple[bytes, np.ndarray, np.ndarray]:
    cfg, identity, nuisance, key = job
    img, true = render(identity, nuisance, cfg.raw_size)
    rng = np.random.default_rng([cfg.seed, _TAG, 2, *key])
    noisy = true + rng.normal(0.0, cfg.landmark_noise, true.shape) if cfg.landmark_noise > 0 else true
    return encode_jpeg(img, nuisance.jpeg_quality), true, noisy.astype(np.float32)


def splits_lines(lfw_lines: list[str]) -> list[str]:
    """`make_pairs` output (1-based video numbers) as YTF `splits.txt` lines."""
    _folds, half = (int(v) for v in lfw_lines[0].split("\t"))
    lines = ["split number, pair number, first name, second name, is same"]
    for row, line in enumerate(lfw_lines[1:]):
        split, pair = row // (2 * half) + 1, row % (2 * half) + 1
        f = line.split("\t")
        if len(f) == 3:
            first, second, same = f"{f[0]}/{int(f[1]) - 1}", f"{f[0]}/{int(f[2]) - 1}", 1
        else:
            first, second, same = f"{f[0]}/{int(f[1]) - 1}", f"{f[2]}/{int(f[3]) - 1}", 0
        lines.append(f"{split}, {pair}, {first}, {second}, {same}")
    return lines


def generate_ytf(
    cfg: YTFSynthConfig, out_dir: Path, progress: bool = True, overwrite: bool = False, workers: int = 1
) -> None:
    """Write the synthetic YTF set (layout in the module docstring); same bytes for any `workers`."""
    out = Path(out_dir)
    db = out / "frame_images_DB"
    if (db.exists() or (out / "manifest.json").exists()) and not overwrite:
        raise FileExistsError(f"{out}: already holds a generated YTF set; pass overwrite=True to regenerate")
    if db.exists():
        shutil.rmtree(db)
    db.mkdir(parents=True)

    identities, _ = sample_identities(
        np.random.default_rng([cfg.seed, _TAG, 0]), cfg.identities, cfg.difficulty, cfg.family_size
    )
    counts = image_counts(
        np.random.default_rng([cfg.seed, _TAG, 3]), cfg.identities, cfg.videos_per_identity, cfg.videos_per_identity_min
    )
    names = [ytf_name(i) for i in range(cfg.identities)]
    pairs = make_pairs(
        counts.tolist(), names, cfg.splits, cfg.pairs_per_split // 2, np.random.default_rng([cfg.seed, _TAG, 4])
    )
    starts = np.random.default_rng([cfg.seed, _TAG, 5]).integers(1, 1000, (cfg.identities, int(counts.max())))

    jobs, paths = [], []
    for i, identity in enumerate(identities):
        for v in range(int(counts[i])):
            for f, nu in enumerate(video_nuisances(cfg, i, v)):
                frame = int(starts[i, v]) + f
                jobs.append((cfg, identity, nu, (i, v, f)))
                paths.append((names[i], str(v), frame))
    landmarks: dict[str, np.ndarray] = {}
    boxes: dict[str, list] = {name: [] for name in names}
    with (
        tqdm(total=len(jobs), disable=not progress, desc="synthetic YTF frames", unit="img") as bar,
        ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool,
    ):
        results = pool.map(_render_frame, jobs, chunksize=16) if pool else map(_render_frame, jobs)
        for (name, video, frame), (data, true, noisy) in zip(paths, results):
            rel = f"{name}/{video}/{video}.{frame}.jpg"
            (db / rel).parent.mkdir(parents=True, exist_ok=True)
            (db / rel).write_bytes(data)
            landmarks[rel] = noisy
            cx, cy, w, h = face_box(true)
            boxes[name].append(f"{name}\\{video}\\{video}.{frame}.jpg,0,{cx},{cy},{w},{h},0.0,1")
            bar.update(1)
    for name, lines in boxes.items():
        (db / f"{name}.labeled_faces.txt").write_text("\n".join(lines) + "\n")
    write_landmarks(out / "ytf_landmarks.txt", landmarks)
    split_lines = splits_lines(pairs)
    (out / "splits.txt").write_text("\n".join(split_lines) + "\n")
    manifest = {
        "generator": "sphere.synthetic.ytf_videos",
        "format_version": FORMAT_VERSION,
        "config": asdict(cfg),
        "counts": {
            "identities": cfg.identities,
            "videos": int(counts.sum()),
            "frames": len(jobs),
            "splits": cfg.splits,
            "pairs": len(split_lines) - 1,
        },
        "landmarks": "px; left eye, right eye, nose tip, left and right mouth corner (image left/right)",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
