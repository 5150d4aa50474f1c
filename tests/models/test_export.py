"""`sphere export-model --format pt|onnx|torchscript` (issue 24 item 4): each file carries the preprocessing
card, and `sphere evaluate --model` on it, given no preprocessing flag, scores what the source checkpoint
scores (a committed celeba-lfw checkpoint, a small synthetic LFW-layout folder)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sphere.cli import main
from sphere.evaluate.models import load_embedder
from sphere.runtime import sha256_file

REPO = Path(__file__).resolve().parents[2]
CHECKPOINT = REPO / "results" / "celeba-lfw" / "checkpoints" / "arcface.pt"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, Path]:
    """Six people x 3 smooth 70x60 photos (not the model's 56x48: they are fitted) and 2 folds of pairs."""
    root = tmp_path_factory.mktemp("lfw")
    rng = np.random.default_rng(1)
    for p in range(6):
        (root / "img" / f"P{p}").mkdir(parents=True)
        base = rng.integers(0, 255, (7, 6, 3)).astype(float)
        for i in range(3):
            img = np.kron(base + rng.normal(0, 25, base.shape), np.ones((10, 10, 1)))
            Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
                root / "img" / f"P{p}" / f"P{p}_{i + 1:04d}.jpg"
            )
    lines = ["2\t3"]
    for f in range(2):
        lines += [f"P{p}\t1\t{2 + (p + f) % 2}" for p in (f, f + 2, f + 4)]
        lines += [f"P{p}\t{1 + f}\tP{(p + 1) % 6}\t3" for p in (f, f + 2, f + 4)]
    (root / "pairs.txt").write_text("\n".join(lines) + "\n")
    return root / "img", root / "pairs.txt"


def score(model: Path, folder: tuple[Path, Path], out: Path) -> dict:
    root, pairs = folder
    args = ["--benchmark", "lfw", "--root", str(root), "--pairs", str(pairs), "--rule", "all", "--device", "cpu"]
    main(["evaluate", "--model", str(model), *args, "--out", str(out)])
    return json.loads((out / "lfw.json").read_text())


@pytest.mark.parametrize("fmt", ["pt", "onnx", "torchscript"])
def test_an_export_scores_what_its_checkpoint_scores_without_flags(fmt, folder, tmp_path, capsys):
    if fmt == "onnx":
        pytest.importorskip("onnx")
        pytest.importorskip("onnxruntime")
    out = tmp_path / f"arcface.{fmt}"
    main(["export-model", "--model", str(CHECKPOINT), "--out", str(out), "--format", fmt, "--float32"])
    want = score(CHECKPOINT, folder, tmp_path / "want")
    got = score(out, folder, tmp_path / "got")
    for rule, result in want["rules"].items():
        assert got["rules"][rule]["accuracy"] == result["accuracy"], rule
    assert got["features"]["input_size"] == [56, 48] and got["features"]["pixel_mean"] == 127.5
    assert "preprocess_notes" not in got["features"]
    embedder = load_embedder(out, device="cpu", model_format="onnx" if fmt == "onnx" else "auto")
    images = np.random.default_rng(0).integers(0, 255, (4, 56, 48, 3), dtype=np.uint8)
    reference = load_embedder(CHECKPOINT, device="cpu").embed(images)
    for a, b in zip(embedder.embed(images), reference):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
def test_the_card_is_inside_each_file_and_a_conflicting_flag_is_reported(folder, tmp_path, capsys):
    import torch

    main(["export-model", "--model", str(CHECKPOINT), "--out", str(tmp_path / "a.ts"), "--format", "torchscript"])
    extra = {"sphere_card.json": ""}
    torch.jit.load(str(tmp_path / "a.ts"), _extra_files=extra)
    card = json.loads(extra["sphere_card.json"])
    assert card["input_size"] == [56, 48] and card["channels"] == "rgb" and card["feature_dim"] == 128
    assert card["source_sha256"] == sha256_file(CHECKPOINT) and len(card["alignment"]["template_xy"]) == 5
    main(["export-model", "--model", str(CHECKPOINT), "--out", str(tmp_path / "a.pt")])
    assert torch.load(tmp_path / "a.pt", weights_only=True)["card"] == card
    root, pairs = folder
    capsys.readouterr()
    args = ["--benchmark", "lfw", "--root", str(root), "--pairs", str(pairs), "--device", "cpu", "--out", str(tmp_path)]
    main(["evaluate", "--model", str(tmp_path / "a.ts"), *args, "--channels", "bgr"])
    err = capsys.readouterr().err
    assert "a.ts: --channels bgr overrides the model card's rgb" in err
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "--model", str(tmp_path / "a.pt"), *args, "--input-size", "112", "96"])
    assert stop.value.code == 2 and "takes 56x48 inputs but --input-size says 112x96" in capsys.readouterr().err


def test_an_export_carries_how_its_training_ended_and_score_shipped_reads_it(tmp_path):
    """The card records the training's status.json; `sphere step ship` writes it as the shipped cell's status, and a
    checkpoint exported before cards said it gets 'unknown' (not 'ok'), which the report prints as such."""
    import torch

    from sphere.models.io import save_model
    from sphere.report.tables import training_status

    state = torch.load(CHECKPOINT, map_location="cpu", weights_only=True)
    weights = {k: v.float() for k, v in state["model"].items()}
    diverged = {"status": "diverged", "steps": 1000, "message": "non-finite loss at step 1120"}
    save_model(weights, state["model_name"], state["width"], state["feature_dim"], state["input_size"],
               tmp_path / "trained", diverged)  # fmt: skip
    main(["export-model", "--model", str(tmp_path / "trained" / "model.pt"), "--out", str(tmp_path / "m.pt")])
    old = {**state, "card": {k: v for k, v in state["card"].items() if k != "training"}}  # as exported before cards
    torch.save(old, tmp_path / "old.pt")
    run = tmp_path / "run"
    for name, checkpoint in (("new", tmp_path / "m.pt"), ("old", tmp_path / "old.pt")):
        cell = run / "models" / name / "seed0"
        cell.mkdir(parents=True)
        main(["step", "ship", "--checkpoint", str(checkpoint), "--model", str(cell / "model.pt"),
              "--status", str(cell / "status.json")])  # fmt: skip
        assert sha256_file(cell / "model.pt") == sha256_file(checkpoint)
    assert training_status(run, "new", 0) == "diverged: non-finite loss at step 1120; weights of step 1000"
    assert training_status(run, "old", 0).startswith("unknown: the shipped checkpoint does not record")
