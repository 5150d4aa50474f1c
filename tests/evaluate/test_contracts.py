"""Issue 24 items 1-3: what `sphere evaluate` checks before it scores (model output N x D, D >= 2, finite; the
input size the model states; zero or non-finite embedding rows; .bin issame 0/1), and --allow-missing for a
model run on a folder that lacks images. Tiny linear models (tests/evaluate/test_models.py) keep it fast."""

from __future__ import annotations

import json
import pickle
import re
import warnings

import numpy as np
import pytest
import torch

from sphere.cli import main
from sphere.errors import InputError, MissingFile
from sphere.evaluate.models import Preprocess, check_output, resolve
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.bin_writer import write_verification_bin
from tests.evaluate.test_models import H, W, lfw_folder, linear_weights, onnx_file, torchscript_file  # noqa: F401


def scripted(path, module: torch.nn.Module):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.script(module).save(str(path))
    return path


class Scalar(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean()


class OneColumn(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1).mean(1, keepdim=True)


def cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        main(argv)
    except SystemExit as stop:
        return int(stop.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


def test_output_contract():
    assert check_output(np.ones((3, 4, 1, 1)), 3, "m").shape == (3, 4)
    for bad, why in [(np.ones(()), r"shape \(\)"), (np.ones((3, 1)), r"\(3, 1\)"), (np.ones((1, 12)), r"\(1, 12\)")]:
        with pytest.raises(InputError, match=why):
            check_output(bad, 3, "m")
    with pytest.raises(InputError, match="non-finite features .* for 1 of 3"):
        check_output(np.array([[1.0, 2], [np.nan, 0], [1, 1]]), 3, "m")


@pytest.mark.parametrize(("module", "shape"), [(Scalar(), r"\(\)"), (OneColumn(), r"\(15, 1\)")])
def test_a_model_that_is_not_an_embedder_is_refused_in_one_line(tmp_path, lfw_folder, capsys, module, shape):  # noqa: F811
    root, pairs, *_ = lfw_folder
    model = scripted(tmp_path / "m.ts", module)
    argv = ["evaluate", "--model", str(model), "--benchmark", "lfw", "--root", str(root), "--pairs", str(pairs)]
    code, err = cli([*argv, "--input-size", str(H), str(W), "--device", "cpu", "--out", str(tmp_path / "o")], capsys)
    last = err.strip().splitlines()[-1]
    assert code == 2 and last.startswith("sphere evaluate: ") and "m.ts: the model returned shape" in last
    assert re.search(shape, last)


def test_input_size_comes_from_the_model_or_is_asked_for(tmp_path, lfw_folder, capsys):  # noqa: F811
    root, pairs, *_ = lfw_folder
    weight, bias = linear_weights()
    ts = torchscript_file(tmp_path / "m.ts", weight, bias)
    base = ["evaluate", "--benchmark", "lfw", "--root", str(root), "--pairs", str(pairs), "--device", "cpu"]
    code, err = cli([*base, "--model", str(ts), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "does not say its input size" in err and "--input-size H W" in err
    code, err = cli([*base, "--model", str(ts), "--input-size", "9", "9", "--out", str(tmp_path / "o")], capsys)
    err = err.strip().splitlines()[-1]
    assert (
        code == 2
        and err.startswith("sphere evaluate: ")
        and "failed on a 15 x 3 x 9 x 9 batch" in err
        and "mat1 and mat2" in err
    )
    code, err = cli([*base, "--model", str(ts), "--input-size", "0", "0", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "two positive integers" in err
    pytest.importorskip("onnxruntime")
    onnx = onnx_file(tmp_path / "m.onnx", weight, bias)  # dynamic batch, fixed H x W
    code, err = cli([*base, "--model", str(onnx), "--input-size", "8", "8", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and f"takes {H}x{W} inputs but --input-size says 8x8" in err
    code, err = cli([*base, "--model", str(onnx), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "o" / "lfw.json").read_text())["features"]["input_size"] == [H, W]


def test_flags_override_a_card_and_say_so():
    card = {"size": (4, 4), "mean": 127.5, "std": 128.0, "channels": "rgb"}
    chosen, notes = resolve("m", card, {"mean": 0.0, "std": None}, None, "TorchScript")
    assert chosen == Preprocess((4, 4), 0.0, 128.0, "rgb")
    assert notes == ["m: --pixel-mean 0.0 overrides the model card's 127.5"]
    assert resolve("m", card, {"mean": 127.5}, None, "TorchScript")[1] == []


def test_missing_images_are_named_or_dropped_with_allow_missing(tmp_path, lfw_folder, capsys):  # noqa: F811
    root, pairs, names, _ = lfw_folder
    weight, bias = linear_weights()
    ts = torchscript_file(tmp_path / "m.ts", weight, bias)
    (root / names[0]).unlink()
    source = Source(model=ts, preprocess=Preprocess((H, W)), device="cpu")
    with pytest.raises(MissingFile, match=r"P0_0001.jpg: image not found \(1 of \d+ images are missing"):
        evaluate("lfw", source, tmp_path / "o", pairs=pairs, root=root)
    lacking = sum(names[0] in (a, b) for a, b in _pair_names(pairs))
    result = evaluate("lfw", source, tmp_path / "o", pairs=pairs, root=root, allow_missing=True)
    assert result["pairs_missing"] == lacking > 0 and result["pairs_scored"] == 16 - lacking
    assert result["standard"] is False and result["features"]["images_missing"] == 1
    with pytest.raises(MissingFile, match=r"nowhere: image folder \(--root\) not found"):
        evaluate("lfw", source, tmp_path / "o", pairs=pairs, root=tmp_path / "nowhere")


def _pair_names(pairs):
    from sphere.formats.lfw import read_pairs

    return [(p.path1, p.path2) for p in read_pairs(pairs, min_folds=1)]


def test_zero_rows_are_refused_or_counted_missing(lfw, tmp_path):
    from sphere.formats.embeddings import write_embeddings

    pairs, _, paths, face, flip = lfw
    face = face.copy()
    face[[2, 5]] = 0
    emb = write_embeddings(tmp_path / "z.npz", face, paths, flip)
    with pytest.raises(InputError, match=r"2 embedding row\(s\) are zero or non-finite \(rows 2, 5, 0-based\)"):
        evaluate("lfw", Source(embeddings=emb), tmp_path / "o", pairs=pairs)
    result = evaluate("lfw", Source(embeddings=emb), tmp_path / "o", pairs=pairs, allow_missing=True)
    assert 0 < result["pairs_missing"] < 60 and result["standard"] is False and result["complete"] is False


def test_bin_issame_must_be_0_or_1(tmp_path):
    from sphere.formats.verification_bin import read_verification_bin

    images = list(np.zeros((4, 8, 8, 3), np.uint8))
    write_verification_bin(tmp_path / "ok.bin", images, np.array([1, 0]))
    assert read_verification_bin(tmp_path / "ok.bin")[1].tolist() == [True, False]
    write_verification_bin(tmp_path / "ok.bin", images, np.array([1, 0]))
    encoded, _ = pickle.loads((tmp_path / "ok.bin").read_bytes())
    (tmp_path / "two.bin").write_bytes(pickle.dumps((encoded, [2, 0])))
    with pytest.raises(InputError, match=r"two.bin: issame must be 0/1 .* 1 pair\(s\) .* pair 0: 2"):
        read_verification_bin(tmp_path / "two.bin")


def test_a_text_file_named_npz_is_called_text(tmp_path):
    from sphere.formats.embeddings import read_embeddings

    (tmp_path / "e.npz").write_text("name,x\na,1\n")
    with pytest.raises(InputError, match=r"e.npz: not a .npy or .npz file \(it is text\)"):
        read_embeddings(tmp_path / "e.npz")


def test_standard_needs_the_benchmarks_own_fold_layout(tmp_path):
    from tests.conftest import write_lfw

    pairs, emb, *_ = write_lfw(tmp_path, folds=10, half=300)
    assert evaluate("lfw", Source(embeddings=emb), tmp_path / "o", pairs=pairs)["standard"] is True
    pairs, emb, *_ = write_lfw(tmp_path, folds=2, half=300)
    result = evaluate("lfw", Source(embeddings=emb), tmp_path / "o", pairs=pairs)
    assert result["standard"] is False and result["folds"] == 2 and result["complete"] is True


def test_a_fold_left_without_pairs_is_counted_against_the_files_folds(lfw, tmp_path):
    """--allow-missing can empty a whole fold: the result, its summary line and its card say how many of the
    file's folds were scored."""
    from sphere.evaluate.card import summary
    from sphere.evaluate.run import summary_line

    pairs, emb, *_ = lfw
    lines = pairs.read_text().splitlines()
    half = int(lines[0].split()[1])
    ghost = [line.replace(line.split("\t")[0], "Ghost", 1) for line in lines[1 : 1 + 2 * half]]  # no embeddings
    (tmp_path / "pairs.txt").write_text("\n".join([lines[0], *ghost, *lines[1 + 2 * half :]]) + "\n")
    result = evaluate("lfw", Source(embeddings=emb), tmp_path / "o", pairs=tmp_path / "pairs.txt", allow_missing=True)
    assert (result["folds"], result["folds_total"], result["pairs_missing"]) == (2, 3, 2 * half)
    assert "2 of the file's 3 folds NON-STANDARD (pairs missing)" in summary_line(result)
    card = result["card"]["benchmark"]
    assert (card["folds"], card["folds_scored"]) == (3, 2) and "3 folds" in summary(result["card"])


def test_pairs_left_in_one_fold_are_refused_before_any_image_is_read():
    from sphere.evaluate.benchmarks import PairSet
    from sphere.evaluate.verify import check_folds_left

    items = ["a", "b", "c", "d"]
    pairs = PairSet(
        "lfw", "pairs.txt", items, np.array([0, 0, 2, 2]), np.array([1, 1, 3, 3]),
        np.array([True, False, True, False]), np.array([0, 0, 1, 1]), np.arange(2, 6),
    )  # fmt: skip
    check_folds_left(pairs, {"a", "b", "c", "d"})
    with pytest.raises(InputError, match=r"pairs.txt: the pairs whose images are all present span 1 of the file's 2"):
        check_folds_left(pairs, {"a", "b", "c"})
