"""`sphere leakage`: embed a training store and each test store with one model, find the identities they share
(sphere.leakage.match) and write tables/leakage.csv (+ .md) and figures/leakage.png."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sphere import runtime
from sphere.errors import InputError, MissingFile
from sphere.leakage.match import COLUMNS, Centroids, Leaks, centroids, find_leaks, split_half_scores
from sphere.paths import RunPaths, markdown_of

CHUNK = 2048  # store faces resized and embedded at a time


@dataclass(frozen=True)
class Found:
    """One test set's result with the counts its summary line needs; `genuine`: its split-half same-person
    centroid cosines (sphere.leakage.match.split_half_scores)."""

    name: str
    leaks: Leaks
    train: Centroids
    test: Centroids
    genuine: np.ndarray

    @property
    def recall_estimate(self) -> float:
        return float(np.mean(self.genuine > self.leaks.threshold)) if len(self.genuine) else float("nan")


def best_model(run_dir: Path) -> Path:
    """The model of the run's best method by LFW accuracy (report.json: accuracy-vs-m and loss-comparison
    means): its first trained seed's model.pt, else its exported checkpoint."""
    paths = RunPaths(run_dir)
    if not paths.summary.is_file():
        raise MissingFile(paths.summary, "no report.json to pick the run's best model from (give --model)")
    summary = json.loads(paths.summary.read_text())
    accuracy = {**summary.get("lfw_acc", {}), **summary.get("loss_comparison", {})}
    accuracy = {m: a for m, a in accuracy.items() if a is not None and np.isfinite(a)}
    if not accuracy:
        raise InputError(f"{paths.summary}: no LFW accuracy to pick the run's best model from (give --model)")
    method = max(sorted(accuracy), key=accuracy.__getitem__)
    models = sorted((paths.root / "models" / method).glob("seed*/model.pt"), key=lambda p: int(p.parent.name[4:]))
    for path in [*models, paths.checkpoint(method)]:
        if path.is_file():
            return path
    raise MissingFile(paths.model(method, 0), f"the best method {method}'s model is not there (give --model)")


def embed_store(embedder, store_dir: Path) -> tuple[np.ndarray, pd.DataFrame]:
    """[face, flip] features of every face of a store (the released SphereFace feature), faces of another size
    cut to the model's aspect and resized (sphere.evaluate.faces.fit)."""
    from sphere.evaluate.faces import fit
    from sphere.store.io import read_store

    store = read_store(store_dir)
    size = tuple(embedder.preprocess.size)
    parts = []
    for start in range(0, len(store.images), CHUNK):
        faces = np.asarray(store.images[start : start + CHUNK])
        if faces.shape[1:3] != size:
            faces = np.stack([fit(face, size) for face in faces])
        face, flip = embedder.embed(faces)
        parts.append(np.concatenate([face, flip], 1))
    if not parts:
        raise InputError(f"{store_dir}: an empty store")
    return np.concatenate(parts), store.index


def store_centroids(embedder, store_dir: Path) -> tuple[Centroids, np.ndarray]:
    """The store's identity centroids and its split-half same-person scores."""
    features, index = embed_store(embedder, store_dir)
    identities = index["identity"].astype(str).tolist()
    return centroids(features, identities, index["path"].astype(str).tolist()), split_half_scores(features, identities)


def leakage_table(found: list[Found]) -> pd.DataFrame:
    """Every candidate of every test set, `test_set` first."""
    frames = [f.leaks.candidates.assign(test_set=f.name) for f in found]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return table[["test_set", *COLUMNS]]


def summary_table(found: list[Found]) -> pd.DataFrame:
    """Per test set: identities, the threshold and what it rests on, the candidates found."""
    rows = []
    for f in found:
        c = f.leaks.candidates
        rows.append(
            {
                "test_set": f.name,
                "test_identities": len(f.test.names),
                "train_identities": len(f.train.names),
                "impostor_pairs": f.leaks.impostor_pairs,
                "fmr": float(f"{f.leaks.fmr:.3g}"),
                "threshold": round(f.leaks.threshold, 4),
                "expected_false": round(f.leaks.fmr * len(f.train.names) * len(f.test.names), 2),
                "recall_estimate": round(f.recall_estimate, 3),
                "by_embedding": int(c["match"].str.contains("embedding").sum()),
                "by_name": int(c["match"].str.startswith("name").sum()) if f.leaks.by_name else None,
            }
        )
    return pd.DataFrame(rows)


def write_markdown(path: Path, summary: pd.DataFrame, table: pd.DataFrame, model: str, shown: int = 50) -> None:
    from sphere.report.tables import markdown

    text = markdown(
        summary,
        f"Train/test identity overlap, model {model}: candidates above the test set's impostor threshold at the "
        "stated false-match rate (fmr per centroid pair; expected_false = fmr x train x test identities); "
        "recall_estimate: share of the test set's own split-half same-person centroid pairs above the threshold "
        "(the check's power); by_name blank where either set names its identities by number",
    )
    body = table.head(shown).drop(columns=["threshold"])
    more = f" (the first {shown} of {len(table)}; all in leakage.csv)" if len(table) > shown else ""
    text += "\n" + markdown(body, f"Candidates, highest score first{more}")
    runtime.write_text(path, text)


def leakage_figure(found: list[Found], out: Path) -> None:
    """Per test set: the impostor cosines between its identities and each test identity's best training-identity
    cosine, with the threshold; candidates are the best scores to its right."""
    from sphere.report.figures import plt, save, styled

    with styled():
        fig, axes = plt.subplots(1, len(found), figsize=(4.2 * len(found), 3.2), squeeze=False)
        for ax, f in zip(axes[0], found):
            low = min(float(np.min(s)) for s in (f.leaks.impostors, f.leaks.best_train_score, f.genuine) if len(s))
            bins = np.linspace(low, 1, 61)
            ax.hist(f.leaks.impostors, bins, density=True, alpha=0.6, label="test x test impostors", color="0.5")
            ax.hist(f.leaks.best_train_score, bins, density=True, alpha=0.6, label="best train match", color="tab:red")
            if len(f.genuine):
                ax.hist(
                    f.genuine, bins, density=True, histtype="step", color="tab:blue", label="test split-half genuine"
                )
            ax.axvline(f.leaks.threshold, color="k", ls="--", label=f"threshold {f.leaks.threshold:.3f}")
            ax.set_yscale("log")
            ax.set_xlabel("centroid cosine")
            ax.set_title(f"{f.name}: {int(f.leaks.candidates['match'].str.contains('embedding').sum())} candidates")
            ax.legend(fontsize=8)
        axes[0, 0].set_ylabel("density")
        save(fig, out)


def run_leakage(
    train_store: Path,
    tests: dict[str, Path],
    model: Path,
    out: Path,
    figure: Path | None = None,
    fmr: float | None = None,
    device: str = "auto",
    model_format: str = "auto",
) -> pd.DataFrame:
    """Write `out` (.csv), its .md and (when given) `figure`; returns the summary per test set."""
    from sphere.evaluate.models import load_embedder

    if fmr is not None and not 0 < fmr < 1:
        raise InputError(f"--fmr: {fmr}: a false-match rate lies between 0 and 1")
    embedder = load_embedder(model, device=device, model_format=model_format)
    train, _ = store_centroids(embedder, train_store)
    found = []
    for name, store in tests.items():
        test, genuine = store_centroids(embedder, store)
        if len(test.names) < 2:
            raise InputError(f"{store}: {len(test.names)} identity; an impostor threshold needs 2 or more")
        found.append(Found(name, find_leaks(train, test, fmr), train, test, genuine))
    table, summary = leakage_table(found), summary_table(found)
    out.parent.mkdir(parents=True, exist_ok=True)
    runtime.to_csv(table, out, index=False)
    write_markdown(markdown_of(out), summary, table, str(model))
    if figure is not None:
        leakage_figure(found, figure)
    return summary
