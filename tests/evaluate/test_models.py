"""Model inputs of `sphere evaluate`: TorchScript, ONNX and a sphere model.pt give the features a plain
numpy (or the DAG's own feature path) computes from the same images."""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from sphere.errors import InputError
from sphere.evaluate.models import Preprocess, load_embedder
from sphere.evaluate.run import evaluate
from sphere.evaluate.sources import Source
from sphere.formats.embeddings import write_embeddings
from tests.fresh_python import assert_not_imported

H, W = 6, 5


def linear_weights(dim=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3 * H * W, dim)).astype(np.float32), rng.normal(size=dim).astype(np.float32)


def numpy_features(images, weight, bias, mean=127.5, std=128.0, bgr=False):
    """flatten((x - mean) / std) @ W + b in NCHW order, for the image and its mirror."""
    x = np.asarray(images, np.float64)
    x = x[..., ::-1] if bgr else x
    x = (x.transpose(0, 3, 1, 2) - mean) / std
    return x.reshape(len(x), -1) @ weight + bias, x[..., ::-1].reshape(len(x), -1) @ weight + bias


def torchscript_file(path, weight, bias):
    linear = torch.nn.Linear(weight.shape[0], weight.shape[1])
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight.T))
        linear.bias.copy_(torch.from_numpy(bias))
    with warnings.catch_warnings():  # torch.jit is deprecated upstream; TorchScript files still circulate
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.script(torch.nn.Sequential(torch.nn.Flatten(), linear)).save(str(path))
    return path


def onnx_file(path, weight, bias):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("Flatten", ["x"], ["flat"], axis=1), helper.make_node("Gemm", ["flat", "W", "b"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, H, W])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", weight.shape[1]])],
        [numpy_helper.from_array(weight, "W"), numpy_helper.from_array(bias, "b")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


@pytest.fixture
def lfw_folder(tmp_path):
    """An LFW-layout folder of H x W PNGs and a 2-fold pairs.txt."""
    rng = np.random.default_rng(4)
    people, per = 6, 3
    root = tmp_path / "lfw"
    names = []
    for p in range(people):
        (root / f"P{p}").mkdir(parents=True)
        base = rng.integers(0, 255, (H, W, 3))
        for i in range(per):
            img = np.clip(base + rng.normal(0, 20, (H, W, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(img).save(root / f"P{p}" / f"P{p}_{i + 1:04d}.png")
            names.append(f"P{p}/P{p}_{i + 1:04d}.png")
    lines = ["2\t4"]
    for _ in range(2):
        lines += [f"P{p}\t1\t{2 + p % 2}" for p in rng.choice(people, 4, replace=False)]
        lines += [f"P{p}\t{1 + p % 3}\tP{(p + 1) % people}\t2" for p in rng.choice(people, 4, replace=False)]
    (tmp_path / "pairs.txt").write_text("\n".join(lines) + "\n")
    # the pairs file names .jpg files (LFW layout); link them
    for n in names:
        (root / n).rename((root / n).with_suffix(".jpg"))
    names = [n.replace(".png", ".jpg") for n in names]
    images = np.stack([np.asarray(Image.open(root / n)) for n in names])
    return root, tmp_path / "pairs.txt", names, images


def reference(tmp_path, names, images, weight, bias, **kw):
    face, flip = numpy_features(images, weight, bias, **kw)
    return write_embeddings(tmp_path / "reference.npz", face, names, flip)


@pytest.mark.parametrize("kind", ["torchscript", "onnx"])
def test_model_files_score_like_their_numpy_features(tmp_path, lfw_folder, kind):
    root, pairs, names, images = lfw_folder
    weight, bias = linear_weights()
    model = (
        torchscript_file(tmp_path / "m.pt", weight, bias)
        if kind == "torchscript"
        else onnx_file(tmp_path / "m.onnx", weight, bias)
    )
    pre = Preprocess((H, W), mean=100.0, std=50.0, channels="bgr")
    got = evaluate(
        "lfw", Source(model=model, preprocess=pre, device="cpu"), tmp_path / "o", "all", root=root, pairs=pairs
    )
    want = evaluate(
        "lfw",
        Source(embeddings=reference(tmp_path, names, images, weight, bias, mean=100.0, std=50.0, bgr=True)),
        tmp_path / "r",
        "all",
        pairs=pairs,
    )
    for rule in want["rules"]:
        assert got["rules"][rule]["accuracy"] == pytest.approx(want["rules"][rule]["accuracy"])
    assert got["features"]["input"] == "model" and got["features"]["channels"] == "bgr"
    embedder = load_embedder(model, pre, "cpu")
    face, flip = embedder.embed(images)
    np.testing.assert_allclose(face, numpy_features(images, weight, bias, 100.0, 50.0, True)[0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pad", [0, 2], ids=["model-size", "square-crops"])
def test_sphere_model_on_a_bin_matches_the_dag_features(tmp_path, pad):
    """Square .bin crops (insightface's 112x112 for a 112x96 model) are fitted, not squeezed: their central
    columns give the model's features."""
    from sphere.features import extract
    from sphere.formats.bin_writer import write_verification_bin
    from sphere.models.registry import create_model

    torch.manual_seed(0)
    net = create_model("sphereface4", width=0.125, feature_dim=8, input_size=(28, 24))
    torch.save(
        {
            "model": net.state_dict(),
            "model_name": "sphereface4",
            "width": 0.125,
            "feature_dim": 8,
            "input_size": [28, 24],
        },
        tmp_path / "model.pt",
    )
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (40, 28, 24, 3), dtype=np.uint8)
    images[1::4] = images[0::4]  # every other pair is the same face
    same = np.arange(20) % 2 == 0
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (0, 0)))
    write_verification_bin(tmp_path / "agedb_30.bin", list(padded), same)
    got = evaluate(
        "agedb_30",
        Source(model=tmp_path / "model.pt", device="cpu"),
        tmp_path / "o",
        "all",
        bin=tmp_path / "agedb_30.bin",
    )
    features = extract(net.eval(), images)
    reference = write_embeddings(tmp_path / "e.npz", features[:, :8], None, features[:, 8:])
    want = evaluate("agedb_30", Source(embeddings=reference), tmp_path / "r", "all", bin=tmp_path / "agedb_30.bin")
    for rule in want["rules"]:
        assert got["rules"][rule]["accuracy"] == pytest.approx(want["rules"][rule]["accuracy"])
    assert got["rules"]["released"]["thresholds"] == pytest.approx(want["rules"]["released"]["thresholds"], abs=1e-6)
    assert got["features"]["model"] == "sphere sphereface4"


def test_unreadable_models_are_named(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(InputError, match="junk.pt: neither a sphere model.pt nor a TorchScript file"):
        load_embedder(tmp_path / "junk.pt")
    (tmp_path / "junk.onnx").write_bytes(b"junk")
    pytest.importorskip("onnxruntime")
    with pytest.raises(InputError, match="junk.onnx: not a loadable ONNX model"):
        load_embedder(tmp_path / "junk.onnx")


def test_mtcnn_alignment_on_real_lfw_photos(shared_data, tmp_path):
    """--align mtcnn: faces detected in raw LFW photos and aligned onto the template at the model's size."""
    from sphere.evaluate.faces import embed_files

    class Crops:  # records the crops it is given; the feature is the mean colour
        preprocess = Preprocess((56, 48))
        seen = []

        def embed(self, images):
            self.seen.append(images)
            f = images.reshape(len(images), -1, 3).mean(1)
            return f, f

    root = shared_data / "lfw-deepfunneled-150" / "lfw"
    names = [f"{p.parent.name}/{p.name}" for p in sorted(root.glob("Aaron_*/*.jpg"))[:2]]
    embedder = Crops()
    weights = shared_data / "models" / "mtcnn"
    face, flip, record = embed_files(
        embedder, root, names, "mtcnn", mtcnn_weights=weights, device="cpu", cache=tmp_path
    )
    assert record["mtcnn_fallback"] == 0 and face.shape == (2, 3) and record["mtcnn_detected"] == 2
    assert embedder.seen[0].shape == (2, 56, 48, 3)
    again, _, record = embed_files(embedder, root, names, "mtcnn", mtcnn_weights=weights, device="cpu", cache=tmp_path)
    assert record["mtcnn_detected"] == 0 and record["mtcnn_cached"] == 2
    np.testing.assert_array_equal(face, again)
    with pytest.raises(InputError, match="--mtcnn-weights"):
        embed_files(embedder, root, names, "mtcnn")


def test_scoring_given_features_imports_no_torch():
    """`sphere evaluate --embeddings | --features` loads no model, so its process does not pay for torch."""
    assert_not_imported(
        "from sphere.cli import parser\nparser()\nimport sphere.evaluate.run, sphere.evaluate.ijb",
        {"torch"},
    )
