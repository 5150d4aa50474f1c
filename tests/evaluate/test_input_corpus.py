"""Issue 24, hardening: a corpus of bad and unusual `sphere evaluate` inputs, each run through
`sphere.cli.main` in-process on a copy of one small workspace.

Every refused input must give exit status 2 and exactly one stderr line
`sphere evaluate: <file or key>[:line]: <what is wrong>` (an optional `cannot write ` before the file), leave
every file of the workspace as it was (earlier results in out/ included) and run no code it carries. Every
valid-but-unusual input must be scored: exit 0, a JSON with finite figures, nothing else in out/ touched.

The workspace: an LFW layout of 6 x 3 JPEG photos (12 x 10) with its 2-fold pairs.txt and embeddings; an
insightface .bin of 20 pairs with row-ordered embeddings; YTF frame embeddings with a 2-split splits.txt;
an IJB-C-format stand-in; a TorchScript linear model for 12 x 10 crops; out/ with earlier results.
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import traceback
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from sphere.cli import main
from sphere.formats.bin_writer import encode, write_verification_bin

H, W, D = 12, 10, 8
NAMES = ("Ann", "Bob", "Cyd", "Dan", "Eve", "Fay")
PAIRS = (
    "2 3\nAnn 1 2\nBob 1 3\nCyd 2 3\nAnn 1 Bob 2\nCyd 1 Dan 1\nEve 2 Fay 3\n"
    "Dan 1 2\nEve 1 3\nFay 2 3\nAnn 3 Cyd 3\nBob 1 Dan 3\nEve 1 Fay 1\n"
)
SPLITS = (
    "split number, pair id, first name, second name, is same\n"
    "1, 1, P0/0, P0/1, 1\n1, 2, P1/0, P1/1, 1\n1, 3, P0/0, P1/0, 0\n1, 4, P2/0, P3/0, 0\n"
    "2, 1, P2/0, P2/1, 1\n2, 2, P3/0, P3/1, 1\n2, 3, P0/1, P2/1, 0\n2, 4, P1/1, P3/1, 0\n"
)
BIN_PAIRS = 20
EARLIER = {"lfw.json": "earlier lfw.json\n", "protocol_variants.csv": "earlier table\n", "notes.txt": "keep me\n"}
Build = Callable[[Path], None]


# ---------------------------------------------------------------------------------------------- workspace
def lfw_paths() -> list[str]:
    return [f"{n}/{n}_{k:04d}.jpg" for n in NAMES for k in (1, 2, 3)]


def structured(groups: int, per: int, rng: np.random.Generator, noise: float = 0.5) -> np.ndarray:
    """`groups` x `per` rows, rows of a group near their group's centre."""
    centres = rng.normal(size=(groups, D))
    return (np.repeat(centres, per, 0) + rng.normal(scale=noise, size=(groups * per, D))).astype(np.float32)


def linear_module(out: int = D) -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * H * W, out))


def save_script(path: Path, module: torch.nn.Module) -> None:
    with warnings.catch_warnings():  # torch.jit is deprecated upstream; TorchScript files still circulate
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.jit.script(module).save(str(path))


# TorchScript modules (8 = D: a scripted forward cannot read module globals)
class Scalar(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean()


class NaNs(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full((x.shape[0], 8), float("nan"))


class Zeros(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(x.shape[0], 8)


class ThreeD(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ones(x.shape[0], 2, 3)


class WrongBatch(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1)[:1, :8]


class DictOut(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"f": x.flatten(1)}


class TupleOut(torch.nn.Module):
    """(features, logits), as a training network returns them: the first is the embedding."""

    def __init__(self) -> None:
        super().__init__()
        self.f = linear_module()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.f(x)
        return y, y.sum(1)


class ConvHead(torch.nn.Module):
    """N x D x 1 x 1 features, as a convolutional head leaves them."""

    def __init__(self) -> None:
        super().__init__()
        self.f = linear_module()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.f(x)[:, :, None, None]


SCRIPTED = {
    "scalar": Scalar,
    "nan": NaNs,
    "zeros": Zeros,
    "three_d": ThreeD,
    "wrong_batch": WrongBatch,
    "dict": DictOut,
    "tuple": TupleOut,
    "conv_head": ConvHead,
}


def scripted_module(kind: str) -> torch.nn.Module:
    return SCRIPTED[kind]()


def build_workspace(ws: Path) -> None:
    rng = np.random.default_rng(0)
    for n in NAMES:
        (ws / "raw" / n).mkdir(parents=True)
    for path in lfw_paths():
        Image.fromarray(rng.integers(0, 255, (H, W, 3), dtype=np.uint8)).save(ws / "raw" / path)
    (ws / "pairs.txt").write_text(PAIRS)
    face = structured(len(NAMES), 3, rng)
    flip = face + rng.normal(scale=0.1, size=face.shape).astype(np.float32)
    np.savez(ws / "emb.npz", embeddings=face, embeddings_flip=flip, names=np.array(lfw_paths()))
    same = np.arange(BIN_PAIRS) % 2 == 0
    images = [rng.integers(0, 255, (H, W, 3), dtype=np.uint8) for _ in range(2 * BIN_PAIRS)]
    write_verification_bin(ws / "set.bin", images, same)
    centres = rng.normal(size=(BIN_PAIRS, D))
    second = np.where(same[:, None], centres, rng.normal(size=(BIN_PAIRS, D)))
    rows = np.stack([centres, second], 1).reshape(-1, D) + rng.normal(scale=0.3, size=(2 * BIN_PAIRS, D))
    np.save(ws / "set.npy", rows.astype(np.float32))
    frames = [f"P{p}/{v}/{v}.{f}.jpg" for p in range(4) for v in (0, 1) for f in (1, 2, 3)]
    np.savez(ws / "frames.npz", embeddings=structured(4, 6, rng), names=np.array(frames))
    (ws / "splits.txt").write_text(SPLITS)
    from sphere.synthetic.ijb_standin import write_ijb_standin

    write_ijb_standin(ws / "ijb", subjects=4, templates_per_subject=2, impostors_per_template=3, dim=D)
    save_script(ws / "m.ts", linear_module())
    (ws / "out").mkdir()
    for name, text in EARLIER.items():
        (ws / "out" / name).write_text(text)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("corpus")
    build_workspace(ws)
    return ws


# ---------------------------------------------------------------------------------------------- commands
OUT = ("--out", "{ws}/out")
EMB = ("evaluate", "--embeddings", "{ws}/emb.npz", "--benchmark", "lfw", "--pairs", "{ws}/pairs.txt", *OUT)
BIN = ("evaluate", "--embeddings", "{ws}/set.npy", "--benchmark", "cfp_fp", "--bin", "{ws}/set.bin", *OUT)
MODEL = ("evaluate", "--model", "{ws}/m.ts", "--input-size", str(H), str(W), "--device", "cpu")
BIN_MODEL = (*MODEL, "--benchmark", "cfp_fp", "--bin", "{ws}/set.bin", *OUT)
ROOT_MODEL = (*MODEL, "--benchmark", "lfw", "--root", "{ws}/raw", "--pairs", "{ws}/pairs.txt", *OUT)
SIZELESS = ROOT_MODEL[:3] + ROOT_MODEL[6:]  # a model that must say its own input size
YTF = ("evaluate", "--embeddings", "{ws}/frames.npz", "--benchmark", "ytf", "--pairs", "{ws}/splits.txt", *OUT)
IJB = ("evaluate", "--embeddings", "{ws}/ijb/embeddings.npz", "--benchmark", "ijbc", "--meta", "{ws}/ijb/meta", *OUT)
META = "ijb/meta/ijbc"
IJB_MODEL = (*MODEL, "--benchmark", "ijbc", "--meta", "{ws}/ijb/meta", "--root", "{ws}/ijb/loose_crop", *OUT)


def swap(argv: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    """`argv` with the argument `old` replaced by `new`."""
    assert old in argv, (old, argv)
    return tuple(new if a == old else a for a in argv)


def drop(argv: tuple[str, ...], flag: str) -> tuple[str, ...]:
    """`argv` without `flag` and its value."""
    k = argv.index(flag)
    return argv[:k] + argv[k + 2 :]


# ---------------------------------------------------------------------------------------------- builders
def nothing(ws: Path) -> None:
    """The workspace as built."""


def both(*builds: Build) -> Build:
    def build(ws: Path) -> None:
        for b in builds:
            b(ws)

    return build


def remove(name: str) -> Build:
    def build(ws: Path) -> None:
        path = ws / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return build


def folder(name: str) -> Build:
    def build(ws: Path) -> None:
        path = ws / name
        if path.exists():
            path.unlink()
        path.mkdir(parents=True)

    return build


def put(name: str, data: str | bytes) -> Build:
    def build(ws: Path) -> None:
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_bytes(data if isinstance(data, bytes) else data.encode())

    return build


def truncate(name: str, keep: float) -> Build:
    def build(ws: Path) -> None:
        data = (ws / name).read_bytes()
        (ws / name).write_bytes(data[: int(len(data) * keep)])

    return build


def edit(name: str, change: Callable[[str], str]) -> Build:
    def build(ws: Path) -> None:
        (ws / name).write_bytes(change((ws / name).read_text()).encode())

    return build


def npz(name: str = "emb.npz", compressed: bool = False, **changes: Callable[[dict], object]) -> Build:
    """Rewrite an .npz: each keyword sets (or, returning None, removes) one array, computed from the old ones."""

    def build(ws: Path) -> None:
        with np.load(ws / name) as f:
            arrays = {k: f[k] for k in f.files}
        for key, change in changes.items():
            value = change(arrays)
            if value is None:
                arrays.pop(key, None)
            else:
                arrays[key] = value
        (np.savez_compressed if compressed else np.savez)(ws / name, **arrays)

    return build


def with_rows(key: str, value: float, rows: list[int] | slice) -> Callable[[dict], np.ndarray]:
    def change(arrays: dict) -> np.ndarray:
        a = arrays[key].astype(np.float64)
        a[rows] = value
        return a

    return change


def npy(name: str, change: Callable[[np.ndarray], np.ndarray]) -> Build:
    def build(ws: Path) -> None:
        np.save(ws / name, change(np.load(ws / name)), allow_pickle=True)

    return build


def zip_member(name: str, member: str, data: bytes) -> Build:
    """An .npz-named zip holding `member` with raw `data` (not a .npy)."""

    def build(ws: Path) -> None:
        with zipfile.ZipFile(ws / name, "w") as z:
            z.writestr(member, data)

    return build


def npy_claiming(shape: tuple[int, ...]) -> bytes:
    """A .npy whose header claims `shape` (float32) but that holds 64 bytes of data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return buffer.getvalue() + bytes(64)


def patch_zip(name: str, flag: int = 0, method: int | None = None) -> Build:
    """Set general-purpose `flag` bits (1: encrypted) or the compression `method` of every member of a zip."""

    def build(ws: Path) -> None:
        data = bytearray((ws / name).read_bytes())
        for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
            k = data.find(signature)
            while k >= 0:
                data[k + flag_at] |= flag
                if method is not None:
                    struct.pack_into("<H", data, k + method_at, method)
                k = data.find(signature, k + 4)
        (ws / name).write_bytes(bytes(data))

    return build


def bin_parts(ws: Path) -> tuple[list[bytes], list[bool]]:
    """The workspace .bin's own (encoded images, issame); it was written by this test, so plain pickle."""
    return pickle.loads((ws / "set.bin").read_bytes())


def rebin(change: Callable[[list[bytes], list[bool]], object], protocol: int = 4) -> Build:
    """Rewrite set.bin as the pickle of `change(images, issame)`."""

    def build(ws: Path) -> None:
        images, same = bin_parts(ws)
        (ws / "set.bin").write_bytes(pickle.dumps(change(images, same), protocol=protocol))

    return build


def rebin_images(fmt: str, mode: str = "RGB", sizes: tuple[tuple[int, int], ...] = ((H, W),)) -> Build:
    """set.bin with its images re-encoded as `fmt` in `mode`, cycling through `sizes`."""

    def build(ws: Path) -> None:
        rng = np.random.default_rng(5)
        images, same = bin_parts(ws)
        encoded = []
        for k in range(len(images)):
            h, w = sizes[k % len(sizes)]
            picture = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).convert(mode)
            buffer = io.BytesIO()
            picture.save(buffer, format=fmt)
            encoded.append(buffer.getvalue())
        (ws / "set.bin").write_bytes(pickle.dumps((encoded, same)))

    return build


class RunsCode:
    """Pickles as a call of `function(*args)`: what a hostile .bin would run on a plain pickle.load."""

    def __init__(self, function: Callable, *args: object) -> None:
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def hostile(make: Callable[[Path], object]) -> Build:
    """set.bin as a pickle of (make(ws), issame): a payload that would touch ws/pwned if it ran."""

    def build(ws: Path) -> None:
        _, same = bin_parts(ws)
        (ws / "set.bin").write_bytes(pickle.dumps((make(ws), same), protocol=2))

    return build


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels (a decompression bomb's header, no pixel data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def script(kind: str) -> Build:
    """m.ts as the TorchScript of one of the test modules of `scripted_module`."""

    def build(ws: Path) -> None:
        save_script(ws / "m.ts", scripted_module(kind))

    return build


def torch_save(state: Callable[[], object], name: str = "m.ts") -> Build:
    def build(ws: Path) -> None:
        torch.save(state(), ws / name)

    return build


def image(name: str, save: Callable[[Path], None]) -> Build:
    return lambda ws: save(ws / "raw" / name)


def pil(mode: str, fmt: str, size: tuple[int, int] = (H, W)) -> Callable[[Path], None]:
    def save(path: Path) -> None:
        array = np.random.default_rng(2).integers(0, 255, (*size, 3), dtype=np.uint8)
        Image.fromarray(array).convert(mode).save(path, format=fmt)

    return save


def store_features(width: int) -> Build:
    """A packed store of the LFW photos (the DAG's layout) and `sphere features` rows `width` columns wide."""

    def build(ws: Path) -> None:
        import pandas as pd

        from sphere.store.io import INDEX_COLUMNS, write_store

        paths = lfw_paths()
        index = pd.DataFrame({c: 1.0 for c in INDEX_COLUMNS}, index=range(len(paths)))
        index["path"] = paths
        index["identity"] = [p.split("/")[0] for p in paths]
        index["label"] = [NAMES.index(p.split("/")[0]) for p in paths]
        index["detection"] = "given"
        images = np.stack([np.asarray(Image.open(ws / "raw" / p).convert("RGB")) for p in paths])
        write_store(ws / "store", images, index)
        rng = np.random.default_rng(3)
        np.save(ws / "feat.npy", np.tile(structured(len(NAMES), 3, rng), 2)[:, :width])

    return build


def unicode_names(ws: Path) -> None:
    """People with non-ASCII names, in the pairs file and the embeddings' names (UTF-8)."""
    new = {"Ann": "Zoë", "Bob": "José", "Cyd": "Łukasz", "Dan": "Дарья", "Eve": "李娜", "Fay": "Ngọc"}
    text = (ws / "pairs.txt").read_text()
    for old, name in new.items():
        text = text.replace(old, name)
    (ws / "pairs.txt").write_text(text, encoding="utf-8")
    npz(names=lambda a: np.array([_rename(p, new) for p in a["names"].tolist()]))(ws)


def _rename(path: str, new: dict[str, str]) -> str:
    for old, name in new.items():
        path = path.replace(old, name)
    return path


def utf8_files(ws: Path) -> None:
    """The inputs under non-ASCII file names."""
    shutil.copy(ws / "emb.npz", ws / "émb ü 対.npz")
    shutil.copy(ws / "pairs.txt", ws / "pärs Ω.txt")


def ijb_line(name: str, change: Callable[[list[str]], list[str]]) -> Build:
    """Rewrite the lines of an IJB meta file."""
    return edit(f"{META}_{name}", lambda text: "\n".join(change(text.splitlines())) + "\n")


def ijb_crops(ws: Path) -> None:
    """112 x 112 loose crops for the images of the IJB stand-in (its 5 points lie inside them)."""
    rng = np.random.default_rng(6)
    (ws / "ijb" / "loose_crop").mkdir()
    for line in (ws / f"{META}_face_tid_mid.txt").read_text().splitlines():
        name = line.split()[0]
        Image.fromarray(rng.integers(0, 255, (112, 112, 3), dtype=np.uint8)).save(ws / "ijb" / "loose_crop" / name)


def first(change: Callable[[str], str]) -> Callable[[list[str]], list[str]]:
    return lambda lines: [change(lines[0]), *lines[1:]]


# ---------------------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    argv: tuple[str, ...]
    status: int = 2
    subject: str = ""  # the file (relative to the workspace) or the key the one-line message must start with
    why: str = ""  # a regular expression the message must match after the subject


def refused(id: str, build: Build, argv: tuple[str, ...], subject: str, why: str = "") -> Case:
    return Case(id, build, argv, 2, subject, why)


def valid(id: str, build: Build, argv: tuple[str, ...], name: str = "") -> Case:
    return Case(id, build, argv, 0, name)


MISSING = [
    refused("emb-missing", remove("emb.npz"), EMB, "emb.npz", "not found"),
    refused("emb-folder", folder("emb.npz"), EMB, "emb.npz", "folder"),
    refused("pairs-missing", remove("pairs.txt"), EMB, "pairs.txt", "not found"),
    refused("pairs-folder", folder("pairs.txt"), EMB, "pairs.txt", "folder"),
    refused("bin-missing", remove("set.bin"), BIN, "set.bin", "not found"),
    refused("bin-folder", folder("set.bin"), BIN, "set.bin", ""),
    refused("meta-missing", remove("ijb/meta"), IJB, "ijb/meta", "not found"),
    refused("meta-faces-missing", remove(f"{META}_face_tid_mid.txt"), IJB, f"{META}_face_tid_mid.txt", "not found"),
    refused("meta-pairs-missing", remove(f"{META}_template_pair_label.txt"), IJB, f"{META}_template_pair_label.txt"),
    refused("model-missing", remove("m.ts"), ROOT_MODEL, "m.ts", "not found"),
    refused("root-missing", remove("raw"), ROOT_MODEL, "raw", "not found"),
    refused("image-missing", remove("raw/Ann/Ann_0001.jpg"), ROOT_MODEL, "raw/Ann/Ann_0001.jpg", "not found"),
    refused("splits-missing", remove("splits.txt"), YTF, "splits.txt", "not found"),
    refused(
        "landmarks-missing",
        nothing,
        (*ROOT_MODEL, "--align", "landmarks", "--landmarks", "{ws}/none.txt"),
        "none.txt",
        "not found",
    ),
    refused(
        "store-missing",
        nothing,
        ("evaluate", "--features", "{ws}/feat.npy", "--store", "{ws}/nostore", *EMB[3:]),
        "nostore/images.npy",
        "no packed store",
    ),
]

FEATURES = ("evaluate", "--features", "{ws}/feat.npy", "--store", "{ws}/store", *EMB[3:])
STORE_CASES = [
    valid("store-features", store_features(2 * D), FEATURES, "lfw"),
    refused("store-features-odd-width", store_features(2 * D - 1), FEATURES, "feat.npy", "face and a flip half"),
    refused("store-features-d1-halves", store_features(2), FEATURES, "feat.npy", "D >= 2"),
    refused(
        "store-features-nan",
        both(store_features(2 * D), npy("feat.npy", lambda a: np.where(a > 1.5, np.nan, a))),
        FEATURES,
        "feat.npy",
        "not finite",
    ),
    refused(
        "store-features-short",
        both(store_features(2 * D), npy("feat.npy", lambda a: a[:-2])),
        FEATURES,
        "feat.npy",
        "16 feature rows",
    ),
]

KEYS = [
    refused("no-input", nothing, ("evaluate", *EMB[3:]), "--embeddings/--features/--model", "exactly one"),
    refused("two-inputs", nothing, (*EMB, "--model", "{ws}/m.ts"), "--embeddings/--features/--model", "exactly one"),
    refused("features-without-store", nothing, ("evaluate", "--features", "{ws}/x.npy", *EMB[3:]), "--store"),
    refused("lfw-without-pairs", nothing, drop(EMB, "--pairs"), "--pairs"),
    refused("bin-set-without-bin", nothing, swap(BIN, "--bin", "--pairs"), "--bin"),
    refused("model-without-root", nothing, drop(ROOT_MODEL, "--root"), "--root"),
    refused("ijb-without-meta", nothing, drop(IJB, "--meta"), "--meta"),
    refused("ijb-model-without-root", nothing, (*MODEL, *IJB[3:]), "--root"),
    refused("landmarks-not-given", nothing, (*ROOT_MODEL, "--align", "landmarks"), "--landmarks"),
    refused("mtcnn-without-weights", nothing, (*ROOT_MODEL, "--align", "mtcnn"), "--mtcnn-weights"),
    refused("input-size-huge", nothing, swap(swap(ROOT_MODEL, str(W), "100000"), str(H), "100000"), "--input-size"),
    refused(
        "mtcnn-min-face-zero", nothing, (*ROOT_MODEL, "--align", "mtcnn", "--mtcnn-min-face", "0"), "--mtcnn-min-face"
    ),
    refused("benchmark-unknown", nothing, swap(EMB, "lfw", "lfw2"), "--benchmark", "invalid choice"),
    refused("out-not-given", nothing, drop(EMB, "--out"), "--out", "required"),
    refused("input-size-one-value", nothing, (*EMB, "--input-size", "12"), "--input-size", "expected 2"),
    refused("frame-cap-not-a-number", nothing, (*YTF, "--frame-cap", "ten"), "--frame-cap", "invalid int"),
    refused("unknown-option", nothing, (*EMB, "--embedings", "x"), "--embedings x", "not an option"),
    refused("input-size-zero", nothing, swap(ROOT_MODEL, str(W), "0"), "--input-size", "positive"),
    refused("frame-cap-zero", nothing, (*YTF, "--frame-cap", "0"), "--frame-cap", ">= 1"),
    refused("frame-cap-negative", nothing, (*YTF, "--frame-cap", "-3"), "--frame-cap", ">= 1"),
    refused("name-with-slash", nothing, (*EMB, "--name", "../escaped"), "--name", "file name"),
    refused("out-is-a-file", nothing, swap(EMB, "{ws}/out", "{ws}/out/notes.txt"), "out/notes.txt", "not a folder"),
    refused("pair-scores-is-a-folder", nothing, (*EMB, "--pair-scores", "{ws}/out"), "out", "folder"),
    refused(
        "megaface-model",
        nothing,
        (*MODEL, "--benchmark", "megaface", "--probe-list", "{ws}/p.json", "--lists", "{ws}/l", *OUT),
        "--model",
        "MegaFace",
    ),
    refused(
        "megaface-without-lists",
        nothing,
        ("evaluate", "--embeddings", "{ws}/emb.npz", "--benchmark", "megaface", *OUT),
        "--probe-list",
    ),
]


def _evil_system(ws: Path) -> object:
    return RunsCode(os.system, f"touch {ws / 'pwned'}")


def _evil_eval(ws: Path) -> object:
    return RunsCode(eval, f"open({str(ws / 'pwned')!r}, 'w')")


def _evil_exec_in_list(ws: Path) -> object:
    return [encode(np.zeros((H, W, 3))), RunsCode(exec, f"open({str(ws / 'pwned')!r}, 'w')")]


def _protocol0_system(ws: Path) -> None:
    """set.bin as a hand-written protocol 0 pickle calling posix.system."""
    (ws / "set.bin").write_bytes(f"cposix\nsystem\n(S'touch {ws / 'pwned'}'\ntR.".encode())


def _object_issame(images: list[bytes], same: list[bool]) -> object:
    return images, np.array(same, dtype=object)


BYTEARRAY_OF_A_SIZE = b"\x80\x02c__builtin__\nbytearray\n\x8a\x05\x00\x00\x00\x00\x10\x85R."  # 64 GiB of zeros
NDARRAY_CALL = b"\x80\x02cnumpy\nndarray\n\x8a\x05\x00\x00\x00\x00\x10\x85\x85R."  # ndarray((2**36,))
RECONSTRUCT_HUGE = (  # _reconstruct(ndarray, (2**36,), b"b")
    b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n\x8a\x05\x00\x00\x00\x00\x10\x85C\x01b\x87R."
)
ROT13 = b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x05\x00\x00\x00rot13\x86R."
BIN_HOSTILE = [
    refused("bin-empty", put("set.bin", b""), BIN, "set.bin", "not a readable"),
    refused("bin-text", put("set.bin", "images,issame\n1,0\n"), BIN, "set.bin", "not a readable"),
    refused(
        "bin-random-bytes",
        put("set.bin", bytes(np.random.default_rng(9).integers(0, 256, 4096, np.uint8))),
        BIN,
        "set.bin",
    ),
    refused("bin-truncated", truncate("set.bin", 0.5), BIN, "set.bin", "not a readable"),
    refused("bin-truncated-header", truncate("set.bin", 0.001), BIN, "set.bin", "not a readable"),
    refused("bin-pickle-int", put("set.bin", pickle.dumps(5)), BIN, "set.bin", "int"),
    refused("bin-pickle-dict", put("set.bin", pickle.dumps({"bins": [], "issame": []})), BIN, "set.bin", "dict"),
    refused("bin-pickle-triple", rebin(lambda i, s: (i, s, s)), BIN, "set.bin", "pair"),
    refused("bin-pickle-none", put("set.bin", pickle.dumps(None)), BIN, "set.bin", "NoneType"),
    refused("bin-runs-os-system", hostile(_evil_system), BIN, "set.bin", "refusing .*system"),
    refused("bin-runs-eval", hostile(_evil_eval), BIN, "set.bin", "refusing .*eval"),
    refused("bin-runs-exec-inside-list", hostile(_evil_exec_in_list), BIN, "set.bin", "refusing .*exec"),
    refused(
        "bin-protocol0-system",
        _protocol0_system,
        BIN,
        "set.bin",
        "refusing .*system",
    ),
    refused("bin-bytearray-of-a-size", put("set.bin", BYTEARRAY_OF_A_SIZE), BIN, "set.bin", "refusing bytearray"),
    refused("bin-ndarray-call", put("set.bin", NDARRAY_CALL), BIN, "set.bin", "refusing a direct numpy.ndarray"),
    refused("bin-reconstruct-huge", put("set.bin", RECONSTRUCT_HUGE), BIN, "set.bin", "refusing .*shape"),
    refused("bin-codecs-rot13", put("set.bin", ROT13), BIN, "set.bin", "rot13"),
    refused("bin-object-array-issame", rebin(_object_issame), BIN, "set.bin", "object|O"),
    refused("bin-issame-short", rebin(lambda i, s: (i, s[:-1])), BIN, "set.bin", "40 images for 19 pairs"),
    refused("bin-issame-long", rebin(lambda i, s: (i, [*s, True])), BIN, "set.bin", "40 images for 21 pairs"),
    refused("bin-issame-2", rebin(lambda i, s: (i, [2, *s[1:]])), BIN, "set.bin", "0/1"),
    refused("bin-issame-negative", rebin(lambda i, s: (i, [-1, *s[1:]])), BIN, "set.bin", "0/1"),
    refused("bin-issame-strings", rebin(lambda i, s: (i, ["yes" if x else "no" for x in s])), BIN, "set.bin", "issame"),
    refused("bin-issame-floats", rebin(lambda i, s: (i, [0.5] * len(s))), BIN, "set.bin", "issame"),
    refused("bin-issame-nested", rebin(lambda i, s: (i, [[x] * 2 for x in s])), BIN, "set.bin", "issame"),
    refused("bin-issame-none", rebin(lambda i, s: (i, [None] * len(s))), BIN, "set.bin", "issame"),
    refused("bin-issame-not-a-list", rebin(lambda i, s: (i, 7)), BIN, "set.bin", "issame"),
    refused("bin-issame-all-same", rebin(lambda i, s: (i, [True] * len(s))), BIN, "set.bin", "different"),
    refused("bin-issame-all-different", rebin(lambda i, s: (i, [False] * len(s))), BIN, "set.bin", "same"),
    refused("bin-images-not-images", rebin(lambda i, s: ([b"not an image"] * len(i), s)), BIN, "set.bin", "image 0"),
    refused("bin-images-ints", rebin(lambda i, s: (list(range(len(i))), s)), BIN, "set.bin", "image 0"),
    refused("bin-images-none", rebin(lambda i, s: ([None] * len(i), s)), BIN, "set.bin", "image 0"),
    refused("bin-images-not-a-list", rebin(lambda i, s: (5, s)), BIN, "set.bin", "images"),
    refused("bin-images-a-dict", rebin(lambda i, s: (dict(enumerate(i)), s)), BIN, "set.bin", "images"),
    refused("bin-images-bytes", rebin(lambda i, s: (b"x" * len(i), s)), BIN, "set.bin", "images"),
    refused("bin-image-truncated-png", rebin(lambda i, s: ([i[0][:40], *i[1:]], s)), BIN, "set.bin", "image 0"),
    refused(
        "bin-decompression-bomb",
        rebin(lambda i, s: ([*i[:3], png_claiming(40000, 40000), *i[4:]], s)),
        BIN,
        "set.bin",
        "image 3",
    ),
    refused(
        "bin-image-past-pixel-limit",
        rebin(lambda i, s: ([*i[:5], png_claiming(10000, 10000), *i[6:]], s)),
        BIN,
        "set.bin",
        "image 5",
    ),
    refused("bin-zero-pairs", rebin(lambda i, s: ([], [])), BIN, "set.bin", "pairs"),
    refused("bin-five-pairs", rebin(lambda i, s: (i[:10], s[:5])), BIN, "set.bin", "5 pairs"),
    refused("bin-rows-mismatch", npy("set.npy", lambda a: a[:-1]), BIN, "set.npy", "39 rows"),
    refused(
        "bin-model-zero-features",
        script("zeros"),
        BIN_MODEL,
        "m.ts",
        "zero",
    ),
]

BIN_VALID = [
    valid("bin-png-model", nothing, BIN_MODEL, "cfp_fp"),
    valid("bin-jpeg-model", rebin_images("JPEG"), BIN_MODEL, "cfp_fp"),
    valid("bin-png-grey-rgba-sizes", rebin_images("PNG", "LA", ((H, W), (20, 20), (112, 96))), BIN_MODEL, "cfp_fp"),
    valid("bin-palette-png", rebin_images("PNG", "P"), BIN_MODEL, "cfp_fp"),
    valid("bin-protocol-2", rebin(lambda i, s: (i, s), protocol=2), BIN, "cfp_fp"),
    valid("bin-protocol-0", rebin(lambda i, s: (i, s), protocol=0), BIN, "cfp_fp"),
    valid(
        "bin-protocol-5-numpy",
        rebin(lambda i, s: ([np.frombuffer(b, np.uint8) for b in i], np.array(s)), protocol=5),
        BIN_MODEL,
        "cfp_fp",
    ),
    valid(
        "bin-protocol-2-bytearray", rebin(lambda i, s: ([bytearray(b) for b in i], s), protocol=2), BIN_MODEL, "cfp_fp"
    ),
    valid("bin-list-not-tuple", rebin(lambda i, s: [i, s]), BIN, "cfp_fp"),
    valid("bin-issame-ints", rebin(lambda i, s: (i, [int(x) for x in s])), BIN, "cfp_fp"),
    valid("bin-issame-floats-0-1", rebin(lambda i, s: (i, [float(x) for x in s])), BIN, "cfp_fp"),
    valid(
        "bin-decoded-images",
        rebin(lambda i, s: ([np.asarray(Image.open(io.BytesIO(b))) for b in i], s)),
        BIN_MODEL,
        "cfp_fp",
    ),
    valid("bin-issame-numpy", rebin(lambda i, s: (i, np.array(s))), BIN, "cfp_fp"),
    valid(
        "bin-images-numpy-buffers",
        rebin(lambda i, s: ([np.frombuffer(b, np.uint8) for b in i], s)),
        BIN_MODEL,
        "cfp_fp",
    ),
    valid("bin-images-bytearray", rebin(lambda i, s: ([bytearray(b) for b in i], s)), BIN_MODEL, "cfp_fp"),
    valid("bin-float16-rows", npy("set.npy", lambda a: a.astype(np.float16)), BIN, "cfp_fp"),
    valid(
        "bin-npz-rows-without-names",
        lambda ws: np.savez(ws / "set.npz", embeddings=np.load(ws / "set.npy")),
        swap(BIN, "{ws}/set.npy", "{ws}/set.npz"),
        "cfp_fp",
    ),
    valid("bin-rule-all", nothing, (*BIN, "--rule", "all"), "cfp_fp"),
]

EMBEDDINGS = [
    refused("npz-empty-file", put("emb.npz", b""), EMB, "emb.npz", "empty"),
    refused("npz-random-bytes", put("emb.npz", bytes(range(256)) * 8), EMB, "emb.npz", "not a .npy or .npz"),
    refused("npz-truncated", truncate("emb.npz", 0.5), EMB, "emb.npz", ""),
    refused("npz-zip-header-only", truncate("emb.npz", 0.01), EMB, "emb.npz", ""),
    refused("npy-truncated", truncate("set.npy", 0.7), BIN, "set.npy", ""),
    refused("npy-header-only", put("set.npy", b"\x93NUMPY"), BIN, "set.npy", ""),
    refused(
        "npy-object-array",
        npy("set.npy", lambda a: np.array([object()] * len(a), dtype=object)),
        BIN,
        "set.npy",
        "refused|object",
    ),
    refused(
        "npz-object-names",
        npz(names=lambda a: np.array(list(a["names"]), dtype=object)),
        EMB,
        "emb.npz",
        "refused|object",
    ),
    refused("npz-no-embeddings", npz(embeddings=lambda a: None), EMB, "emb.npz", "no 'embeddings'"),
    refused("npz-embeddings-1d", npz(embeddings=lambda a: a["embeddings"][:, 0]), EMB, "emb.npz", "N x D"),
    refused("npz-embeddings-3d", npz(embeddings=lambda a: a["embeddings"][:, :, None]), EMB, "emb.npz", "N x D"),
    refused("npz-embeddings-0-rows", npz(embeddings=lambda a: a["embeddings"][:0]), EMB, "emb.npz", "N x D"),
    refused("npz-embeddings-scalar", npz(embeddings=lambda a: np.float32(1.0)), EMB, "emb.npz", "N x D"),
    refused("npz-embeddings-strings", npz(embeddings=lambda a: a["embeddings"].astype(str)), EMB, "emb.npz", "numeric"),
    refused(
        "npz-embeddings-complex",
        npz(embeddings=lambda a: a["embeddings"].astype(np.complex64)),
        EMB,
        "emb.npz",
        "numeric",
    ),
    refused("npz-embeddings-bool", npz(embeddings=lambda a: a["embeddings"] > 0), EMB, "emb.npz", "numeric"),
    refused(
        "npz-d1",
        npz(embeddings=lambda a: a["embeddings"][:, :1], embeddings_flip=lambda a: a["embeddings_flip"][:, :1]),
        EMB,
        "emb.npz",
        "D >= 2",
    ),
    refused(
        "npz-d1-no-flip",
        npz(embeddings=lambda a: a["embeddings"][:, :1], embeddings_flip=lambda a: None),
        EMB,
        "emb.npz",
        "D >= 2",
    ),
    refused("npz-nan-row", npz(embeddings=with_rows("embeddings", np.nan, [3])), EMB, "emb.npz", "non-finite"),
    refused("npz-inf-row", npz(embeddings=with_rows("embeddings", np.inf, [0])), EMB, "emb.npz", "non-finite"),
    refused(
        "npz-neg-inf-flip",
        npz(embeddings_flip=with_rows("embeddings_flip", -np.inf, [2])),
        EMB,
        "emb.npz",
        "non-finite",
    ),
    refused("npz-zero-row", npz(embeddings=with_rows("embeddings", 0.0, [5])), EMB, "emb.npz", "zero"),
    refused(
        "npz-float64-overflows-float32",
        npz(embeddings=with_rows("embeddings", 1e300, [1])),
        EMB,
        "emb.npz",
        "float32|finite",
    ),
    refused(
        "npz-all-zero-allowed",
        npz(embeddings=with_rows("embeddings", 0.0, slice(None))),
        (*EMB, "--allow-missing"),
        "pairs.txt",
        "no pair",
    ),
    refused(
        "npz-flip-shape", npz(embeddings_flip=lambda a: a["embeddings_flip"][:, :4]), EMB, "emb.npz", "embeddings_flip"
    ),
    refused(
        "npz-flip-rows", npz(embeddings_flip=lambda a: a["embeddings_flip"][:-1]), EMB, "emb.npz", "embeddings_flip"
    ),
    refused("npz-names-short", npz(names=lambda a: a["names"][:-1]), EMB, "emb.npz", "names"),
    refused(
        "npz-names-duplicate", npz(names=lambda a: np.r_[a["names"][:1], a["names"][:-1]]), EMB, "emb.npz", "twice"
    ),
    refused("npz-names-ints", npz(names=lambda a: np.arange(len(a["names"]))), EMB, "emb.npz", "string"),
    refused("npz-names-2d", npz(names=lambda a: a["names"][:, None]), EMB, "emb.npz", "1-d"),
    refused(
        "npz-names-not-utf8",
        npz(names=lambda a: np.array([b"\xff\xfe" + n.encode() for n in a["names"]])),
        EMB,
        "emb.npz",
        "UTF-8",
    ),
    refused(
        "npz-member-not-npy", zip_member("emb.npz", "embeddings.npy", b"plain bytes, not a .npy"), EMB, "emb.npz", ""
    ),
    refused(
        "npz-foreign-names",
        npz(names=lambda a: np.array([f"x/{i}.jpg" for i in range(len(a["names"]))])),
        EMB,
        "pairs.txt",
        "no pair",
    ),
    refused(
        "npz-one-image-missing",
        npz(names=lambda a: np.r_[["Zed/Zed_0001.jpg"], a["names"][1:]]),
        EMB,
        "pairs.txt:2",
        "Ann_0001",
    ),
    refused("npy-for-lfw", nothing, swap(EMB, "{ws}/emb.npz", "{ws}/set.npy"), "set.npy", "names"),
    refused("npy-header-claims-terabytes", put("set.npy", npy_claiming((10**12, 8))), BIN, "set.npy", "readable"),
    refused("npy-header-claims-more", put("set.npy", npy_claiming((40, 8))), BIN, "set.npy", "readable"),
    refused(
        "npz-member-claims-terabytes",
        zip_member("emb.npz", "embeddings.npy", npy_claiming((10**12, 8))),
        EMB,
        "emb.npz",
        "readable",
    ),
    refused("npz-encrypted-member", patch_zip("emb.npz", flag=1), EMB, "emb.npz", "readable"),
    refused("npz-unknown-compression", patch_zip("emb.npz", method=9), EMB, "emb.npz", "readable"),
    refused("npz-zip-of-text", zip_member("emb.npz", "readme.txt", b"hello"), EMB, "emb.npz", "no 'embeddings'"),
]

EMBEDDINGS_VALID = [
    valid(
        "npz-float16",
        npz(
            embeddings=lambda a: a["embeddings"].astype(np.float16),
            embeddings_flip=lambda a: a["embeddings_flip"].astype(np.float16),
        ),
        EMB,
        "lfw",
    ),
    valid("npz-float64", npz(embeddings=lambda a: a["embeddings"].astype(np.float64)), EMB, "lfw"),
    valid(
        "npz-int16",
        npz(embeddings=lambda a: (a["embeddings"] * 100).astype(np.int16), embeddings_flip=lambda a: None),
        EMB,
        "lfw",
    ),
    valid("npz-d2", npz(embeddings=lambda a: a["embeddings"][:, :2], embeddings_flip=lambda a: None), EMB, "lfw"),
    valid("npz-no-flip", npz(embeddings_flip=lambda a: None), EMB, "lfw"),
    valid("npz-compressed-extra-arrays", npz(compressed=True, labels=lambda a: np.arange(len(a["names"]))), EMB, "lfw"),
    valid("npz-names-bytes", npz(names=lambda a: a["names"].astype(bytes)), EMB, "lfw"),
    valid(
        "npz-names-dot-slash-backslash",
        npz(names=lambda a: np.array(["./" + n.replace("/", "\\") for n in a["names"]])),
        EMB,
        "lfw",
    ),
    valid("npz-bare-file-names", npz(names=lambda a: np.array([n.split("/")[1] for n in a["names"]])), EMB, "lfw"),
    valid("npz-zero-row-allowed", npz(embeddings=with_rows("embeddings", 0.0, [17])), (*EMB, "--allow-missing"), "lfw"),
    valid("unicode-person-names", unicode_names, EMB, "lfw"),
    valid(
        "utf8-file-names",
        utf8_files,
        (
            "evaluate",
            "--embeddings",
            "{ws}/émb ü 対.npz",
            "--benchmark",
            "lfw",
            "--pairs",
            "{ws}/pärs Ω.txt",
            "--out",
            "{ws}/out/résultats ✓",
        ),
        "résultats ✓/lfw",
    ),
    valid(
        "pairs-crlf-bom-blanks-tabs",
        edit("pairs.txt", lambda t: "\ufeff\r\n" + t.replace(" ", " \t ").replace("\n", "  \r\n") + "\r\n"),
        EMB,
        "lfw",
    ),
    valid("pairs-cr-only", edit("pairs.txt", lambda t: t.replace("\n", "\r")), EMB, "lfw"),
    valid(
        "rule-all-with-method-and-pair-scores",
        nothing,
        (*EMB, "--rule", "all", "--method", "m", "--pair-scores", "{ws}/out/pairs.csv"),
        "lfw",
    ),
    valid("named-result", nothing, (*EMB, "--name", "lfw_copy"), "lfw_copy"),
]

PAIRS_FILES = [
    refused("pairs-empty", put("pairs.txt", ""), EMB, "pairs.txt", "empty"),
    refused("pairs-blank-lines-only", put("pairs.txt", "\n \r\n\t\n"), EMB, "pairs.txt", "empty"),
    refused(
        "pairs-header-words",
        edit("pairs.txt", lambda t: t.replace("2 3", "folds pairs", 1)),
        EMB,
        "pairs.txt:1",
        "header",
    ),
    refused(
        "pairs-header-count",
        edit("pairs.txt", lambda t: t.replace("2 3", "2 4", 1)),
        EMB,
        "pairs.txt",
        "header promises",
    ),
    refused(
        "pairs-short-line",
        edit("pairs.txt", lambda t: t.replace("Bob 1 3", "Bob 1")),
        EMB,
        "pairs.txt:3",
        "same-person",
    ),
    refused(
        "pairs-image-number-zero",
        edit("pairs.txt", lambda t: t.replace("Bob 1 3", "Bob 0 3")),
        EMB,
        "pairs.txt:3",
        "positive",
    ),
    refused(
        "pairs-not-utf8", put("pairs.txt", PAIRS.encode().replace(b"Cyd 2", b"C\xffd 2")), EMB, "pairs.txt:4", "UTF-8"
    ),
    refused("pairs-binary", put("pairs.txt", bytes(range(256))), EMB, "pairs.txt", "UTF-8"),
    refused(
        "pairs-one-fold", put("pairs.txt", "1 3\n" + "".join(PAIRS.splitlines(True)[1:7])), EMB, "pairs.txt", "2 folds"
    ),
    refused("pairs-zero-folds", put("pairs.txt", "0 3\n"), EMB, "pairs.txt:1", "fold"),
]

MODELS = [
    refused("model-garbage", put("m.ts", bytes(range(256)) * 4), ROOT_MODEL, "m.ts", "neither"),
    refused("model-empty", put("m.ts", b""), ROOT_MODEL, "m.ts", ""),
    refused("model-text", put("m.ts", "def forward(x): return x\n"), ROOT_MODEL, "m.ts", ""),
    refused(
        "model-one-column",
        lambda ws: save_script(ws / "m.ts", linear_module(1)),
        ROOT_MODEL,
        "m.ts",
        r"shape \(18, 1\)",
    ),
    refused(
        "model-scalar",
        script("scalar"),
        ROOT_MODEL,
        "m.ts",
        r"shape \(\)",
    ),
    refused(
        "model-nan",
        script("nan"),
        ROOT_MODEL,
        "m.ts",
        "non-finite",
    ),
    refused(
        "model-zeros",
        script("zeros"),
        ROOT_MODEL,
        "m.ts",
        "zero",
    ),
    refused(
        "model-3d-output",
        script("three_d"),
        ROOT_MODEL,
        "m.ts",
        "shape",
    ),
    refused(
        "model-wrong-batch",
        script("wrong_batch"),
        ROOT_MODEL,
        "m.ts",
        "shape",
    ),
    refused(
        "model-dict-output",
        script("dict"),
        ROOT_MODEL,
        "m.ts",
        "dict",
    ),
    refused("model-wrong-input-size", nothing, swap(ROOT_MODEL, str(W), "20"), "m.ts", "failed"),
    refused("model-dict-without-size", torch_save(lambda: {"model_name": "sphere20"}), SIZELESS, "m.ts", ""),
    refused(
        "model-dict-bad-name",
        torch_save(lambda: {"model_name": "nope", "model": {}, "width": 1, "feature_dim": 8, "input_size": [H, W]}),
        SIZELESS,
        "m.ts",
        "nope",
    ),
    refused(
        "model-dict-bad-weights",
        torch_save(
            lambda: {"model_name": "sphereface4", "model": {}, "width": 0.125, "feature_dim": 8, "input_size": [H, W]}
        ),
        SIZELESS,
        "m.ts",
        "",
    ),
    refused("image-not-an-image", put("raw/Ann/Ann_0002.jpg", "hello"), ROOT_MODEL, "raw/Ann/Ann_0002.jpg", "decode"),
    refused("image-empty", put("raw/Bob/Bob_0001.jpg", b""), ROOT_MODEL, "raw/Bob/Bob_0001.jpg", "decode"),
    refused("image-truncated", truncate("raw/Cyd/Cyd_0003.jpg", 0.3), ROOT_MODEL, "raw/Cyd/Cyd_0003.jpg", "decode"),
    refused("image-is-a-folder", folder("raw/Dan/Dan_0001.jpg"), ROOT_MODEL, "raw/Dan/Dan_0001.jpg", "not found"),
    refused(
        "image-bomb",
        put("raw/Eve/Eve_0002.jpg", png_claiming(40000, 40000)),
        ROOT_MODEL,
        "raw/Eve/Eve_0002.jpg",
        "decode",
    ),
    refused(
        "image-past-pixel-limit",
        put("raw/Fay/Fay_0001.jpg", png_claiming(10000, 10000)),
        ROOT_MODEL,
        "raw/Fay/Fay_0001.jpg",
        "decode",
    ),
    refused(
        "image-no-landmarks",
        put("lm.txt", "Ann/Ann_0001.jpg\t" + "\t".join(["3", "4", "7", "4", "5", "6", "3", "9", "7", "9"]) + "\n"),
        (*ROOT_MODEL, "--align", "landmarks", "--landmarks", "{ws}/lm.txt"),
        "raw/Bob/Bob_0001.jpg",
        "landmarks",
    ),
]

MODELS_VALID = [
    valid("model-on-photos", nothing, ROOT_MODEL, "lfw"),
    valid(
        "model-grey-cmyk-png-as-jpg",
        both(
            image("Ann/Ann_0001.jpg", pil("L", "JPEG")),
            image("Bob/Bob_0002.jpg", pil("CMYK", "JPEG")),
            image("Cyd/Cyd_0001.jpg", pil("RGBA", "PNG", (30, 17))),
        ),
        ROOT_MODEL,
        "lfw",
    ),
    valid(
        "model-tuple-output",
        script("tuple"),
        ROOT_MODEL,
        "lfw",
    ),
    valid(
        "model-conv-head-output",
        script("conv_head"),
        ROOT_MODEL,
        "lfw",
    ),
    valid("model-missing-image-allowed", remove("raw/Ann/Ann_0001.jpg"), (*ROOT_MODEL, "--allow-missing"), "lfw"),
]

YTF_CASES = [
    refused("splits-empty", put("splits.txt", ""), YTF, "splits.txt", "no pairs"),
    refused("splits-header-only", put("splits.txt", SPLITS.splitlines()[0] + "\n"), YTF, "splits.txt", "no pairs"),
    refused(
        "splits-four-fields",
        edit("splits.txt", lambda t: t.replace("1, 1, P0/0, P0/1, 1", "1, 1, P0/0, 1")),
        YTF,
        "splits.txt:2",
        "fields",
    ),
    refused(
        "splits-same-2",
        edit("splits.txt", lambda t: t.replace("P0/0, P0/1, 1", "P0/0, P0/1, 2")),
        YTF,
        "splits.txt:2",
        "0 or 1",
    ),
    refused(
        "splits-video-not-name-video",
        edit("splits.txt", lambda t: t.replace("P0/0, P0/1", "P0, P0/1")),
        YTF,
        "splits.txt:2",
        "name/video",
    ),
    refused(
        "splits-unknown-video",
        edit("splits.txt", lambda t: t.replace("P3/0, P3/1", "P3/0, P9/4")),
        YTF,
        "splits.txt:7",
        "P9/4",
    ),
    refused("splits-one-split", put("splits.txt", "".join(SPLITS.splitlines(True)[:5])), YTF, "splits.txt", "2 folds"),
    refused(
        "splits-all-same",
        put("splits.txt", "".join(SPLITS.splitlines(True)[:3]) + "".join(SPLITS.splitlines(True)[5:7])),
        YTF,
        "splits.txt",
        "different",
    ),
    refused(
        "frames-not-frame-names",
        npz("frames.npz", names=lambda a: np.array([f"frame{i}.png" for i in range(len(a["names"]))])),
        YTF,
        "frames.npz",
        "",
    ),
    refused(
        "frames-nan",
        npz("frames.npz", embeddings=with_rows("embeddings", np.nan, [4])),
        YTF,
        "frames.npz",
        "non-finite",
    ),
    refused("frames-without-names", npz("frames.npz", names=lambda a: None), YTF, "frames.npz", "names"),
]

YTF_VALID = [
    valid(
        "splits-bom-crlf-spaces",
        edit("splits.txt", lambda t: "\ufeff" + t.replace(", ", " ,  ").replace("\n", "\r\n")),
        YTF,
        "ytf",
    ),
    valid(
        "splits-seven-fields",
        put(
            "splits.txt",
            "header\n"
            + "".join(
                f"{s}, {i}, {a.split('/')[0]}, {b.split('/')[0]}, {a.split('/')[1]}, {b.split('/')[1]}, {y}\n"
                for s, i, a, b, y in (line.split(", ") for line in SPLITS.splitlines()[1:])
            ),
        ),
        YTF,
        "ytf",
    ),
    valid("ytf-frame-cap-1-first", nothing, (*YTF, "--frame-cap", "1", "--frame-selection", "first"), "ytf"),
    valid("ytf-float16-frames", npz("frames.npz", embeddings=lambda a: a["embeddings"].astype(np.float16)), YTF, "ytf"),
]

IJB_CASES = [
    refused("faces-empty", put(f"{META}_face_tid_mid.txt", ""), IJB, f"{META}_face_tid_mid.txt"),
    refused(
        "faces-two-columns",
        ijb_line("face_tid_mid.txt", lambda ls: [" ".join(x.split()[:2]) for x in ls]),
        IJB,
        f"{META}_face_tid_mid.txt",
        "columns",
    ),
    refused(
        "faces-template-not-int",
        ijb_line("face_tid_mid.txt", first(lambda x: x.rsplit(" ", 2)[0] + " t1 1")),
        IJB,
        f"{META}_face_tid_mid.txt:1",
        "integer",
    ),
    refused(
        "faces-ragged",
        ijb_line("face_tid_mid.txt", lambda ls: [ls[0], ls[1] + " 7", *ls[2:]]),
        IJB,
        f"{META}_face_tid_mid.txt",
        "",
    ),
    refused("faces-binary", put(f"{META}_face_tid_mid.txt", bytes(range(256))), IJB, f"{META}_face_tid_mid.txt"),
    refused(
        "pairs-label-2",
        ijb_line("template_pair_label.txt", first(lambda x: x[:-1] + "2")),
        IJB,
        f"{META}_template_pair_label.txt:1",
        "0 or 1",
    ),
    refused(
        "pairs-label-text",
        ijb_line("template_pair_label.txt", first(lambda x: x[:-1] + "yes")),
        IJB,
        f"{META}_template_pair_label.txt:1",
        "integer",
    ),
    refused(
        "pairs-unknown-template",
        ijb_line("template_pair_label.txt", first(lambda x: "99999 " + x.split(" ", 1)[1])),
        IJB,
        f"{META}_template_pair_label.txt:1",
        "99999",
    ),
    refused(
        "pairs-template-beyond-int64",
        ijb_line("template_pair_label.txt", first(lambda x: "99999999999999999999999 " + x.split(" ", 1)[1])),
        IJB,
        f"{META}_template_pair_label.txt:1",
        "integer",
    ),
    refused(
        "faces-media-beyond-int64",
        ijb_line("face_tid_mid.txt", first(lambda x: x.rsplit(" ", 1)[0] + " 99999999999999999999")),
        IJB,
        f"{META}_face_tid_mid.txt:1",
        "integer",
    ),
    refused("ijb-model-zero-features", both(ijb_crops, script("zeros")), IJB_MODEL, "m.ts", "zero"),
    refused("ijb-model-nan-features", both(ijb_crops, script("nan")), IJB_MODEL, "m.ts", "non-finite"),
    refused(
        "ijb-model-crop-missing",
        both(ijb_crops, remove("ijb/loose_crop/3.jpg")),
        IJB_MODEL,
        "ijb/loose_crop/3.jpg",
        "not found",
    ),
    refused("template-pairs-empty", put(f"{META}_template_pair_label.txt", ""), IJB, f"{META}_template_pair_label.txt"),
    refused(
        "pairs-four-columns",
        ijb_line("template_pair_label.txt", lambda ls: [x + " 0" for x in ls]),
        IJB,
        f"{META}_template_pair_label.txt",
        "columns",
    ),
    refused(
        "pairs-all-genuine",
        ijb_line("template_pair_label.txt", lambda ls: [x for x in ls if x.endswith(" 1")]),
        IJB,
        f"{META}_template_pair_label.txt",
        "impostor",
    ),
    refused(
        "pairs-all-impostor",
        ijb_line("template_pair_label.txt", lambda ls: [x for x in ls if x.endswith(" 0")]),
        IJB,
        f"{META}_template_pair_label.txt",
        "genuine",
    ),
    refused(
        "5pts-short-lines",
        ijb_line("name_5pts_score.txt", lambda ls: [" ".join(x.split()[:6]) for x in ls]),
        (*IJB, "--detector-score"),
        f"{META}_name_5pts_score.txt",
        "columns",
    ),
    refused(
        "5pts-inf-score",
        ijb_line("name_5pts_score.txt", first(lambda x: x.rsplit(" ", 1)[0] + " inf")),
        (*IJB, "--detector-score"),
        f"{META}_name_5pts_score.txt:1",
        "finite",
    ),
    refused(
        "5pts-nan-score",
        ijb_line("name_5pts_score.txt", first(lambda x: x.rsplit(" ", 1)[0] + " nan")),
        (*IJB, "--detector-score"),
        f"{META}_name_5pts_score.txt:1",
        "",
    ),
    refused(
        "5pts-negative-score",
        ijb_line("name_5pts_score.txt", first(lambda x: x.rsplit(" ", 1)[0] + " -1")),
        (*IJB, "--detector-score"),
        f"{META}_name_5pts_score.txt:1",
        "score",
    ),
    refused(
        "5pts-other-images",
        ijb_line("name_5pts_score.txt", first(lambda x: "other.jpg " + x.split(" ", 1)[1])),
        (*IJB, "--detector-score"),
        f"{META}_name_5pts_score.txt",
        "not those",
    ),
    refused(
        "1n-missing-column",
        ijb_line("1N_probe_mixed.csv", lambda ls: [",".join(x.split(",")[:1] + x.split(",")[2:]) for x in ls]),
        IJB,
        f"{META}_1N_probe_mixed.csv:1",
        "SUBJECT_ID",
    ),
    refused(
        "1n-unknown-template",
        ijb_line("1N_gallery_G1.csv", lambda ls: [ls[0], "77777" + ls[1][ls[1].index(",") :], *ls[2:]]),
        IJB,
        f"{META}_1N_gallery_G1.csv:2",
        "77777",
    ),
    refused(
        "1n-header-only", ijb_line("1N_gallery_G2.csv", lambda ls: ls[:1]), IJB, f"{META}_1N_gallery_G2.csv", "no rows"
    ),
    refused(
        "1n-subject-text",
        ijb_line(
            "1N_probe_mixed.csv",
            lambda ls: [ls[0], ",".join([ls[1].split(",")[0], "abc", *ls[1].split(",")[2:]]), *ls[2:]],
        ),
        IJB,
        f"{META}_1N_probe_mixed.csv:2",
        "integer",
    ),
    refused(
        "ijb-names-not-in-embeddings",
        ijb_line("face_tid_mid.txt", first(lambda x: "stranger.jpg " + x.split(" ", 1)[1])),
        IJB,
        f"{META}_face_tid_mid.txt:1",
        "stranger",
    ),
]

IJB_VALID = [
    valid("ijb-model-on-crops", ijb_crops, IJB_MODEL, "ijbc"),
    valid("ijb-plain", nothing, IJB, "ijbc"),
    valid(
        "ijb-crlf-tabs",
        both(
            *(
                edit(f"{META}_{n}", lambda t: t.replace(" ", "\t ").replace("\n", "\r\n"))
                for n in ("face_tid_mid.txt", "template_pair_label.txt", "name_5pts_score.txt")
            )
        ),
        (*IJB, "--detector-score"),
        "ijbc",
    ),
    valid(
        "ijb-csv-bom-lowercase-header",
        edit(
            f"{META}_1N_probe_mixed.csv",
            lambda t: "\ufeff" + t.replace("TEMPLATE_ID,SUBJECT_ID", "template_id, subject_id"),
        ),
        IJB,
        "ijbc",
    ),
    valid("ijb-no-1n-files", remove(f"{META}_1N_gallery_G2.csv"), IJB, "ijbc"),
]

CASES = (
    MISSING
    + STORE_CASES
    + KEYS
    + BIN_HOSTILE
    + BIN_VALID
    + EMBEDDINGS
    + EMBEDDINGS_VALID
    + PAIRS_FILES
    + MODELS
    + MODELS_VALID
    + YTF_CASES
    + YTF_VALID
    + IJB_CASES
    + IJB_VALID
)


# ---------------------------------------------------------------------------------------------- running
def snapshot(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*")) if p.is_file()}


def run(argv: list[str], capsys) -> tuple[int, str]:
    """(exit status, stderr) of `sphere <argv>` in this process; any other exception fails the test. Python
    warnings are written to stderr as a user would see them (two lines each)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", hidden)  # Python's default filters do not show these
        try:
            main(argv)
            status = 0
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
        except BaseException:  # a traceback: what a user must never see for their own mistake
            pytest.fail(f"exception escaped main:\n{traceback.format_exc()}")
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught)
    return status, shown + capsys.readouterr().err


def expected_line(case: Case, ws: Path) -> str:
    """The regular expression of the one error line."""
    subject = case.subject if case.subject.startswith("-") else str(ws / case.subject)
    # the subject, an optional :line, then ': '; only `cannot write ` may come before it
    return rf"^sphere evaluate: (cannot write )?{re.escape(subject)}(:\d+)?: .*{case.why}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, base: Path, tmp_path: Path, capsys) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    case.build(ws)
    before = snapshot(ws)
    status, err = run([a.replace("{ws}", str(ws)) for a in case.argv], capsys)
    assert "Traceback" not in err
    assert status == case.status, err
    if case.status:
        assert len(err.strip().splitlines()) == 1, f"not one line:\n{err}"
        assert re.search(expected_line(case, ws), err.strip()), err
        assert snapshot(ws) == before, "a refused input changed files in the workspace"
        assert not (ws / "pwned").exists()
        return
    check_result(ws / "out" / f"{case.subject}.json")
    for name, text in EARLIER.items():  # what the run had no reason to rewrite
        if name != f"{case.subject}.json" and not (name == "protocol_variants.csv" and "all" in case.argv):
            assert (ws / "out" / name).read_text() == text


def check_result(path: Path) -> None:
    """A written result with finite figures."""
    result = json.loads(path.read_text())
    figures = [result["accuracy"]] if "accuracy" in result else [r["tar"] for r in result["tar_at_far"]]
    assert figures and all(f is None or math.isfinite(f) for f in figures), figures
    if "accuracy" in result:
        assert 0 <= result["accuracy"] <= 100 and result["pairs_scored"] > 0
    assert not [p.name for p in path.parent.iterdir() if ".tmp" in p.name]


BY_ID = {c.id: c for c in CASES}


@pytest.mark.parametrize("case_id", ["model-nan", "bin-runs-os-system", "npz-float64-overflows-float32"])
def test_a_separate_process_prints_one_line(case_id: str, base: Path, tmp_path: Path) -> None:
    """A few rows as a user runs them (`python -m sphere`, default warning filters, stderr not a terminal):
    still one stderr line and status 2."""
    case = BY_ID[case_id]
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    case.build(ws)
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "sphere", *(a.replace("{ws}", str(ws)) for a in case.argv)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
        timeout=300,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(expected_line(case, ws), done.stderr.strip()), done.stderr
    assert not (ws / "pwned").exists()


def test_corpus_size() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 80
    assert sum(c.status == 0 for c in CASES) >= 20


def test_a_failing_run_keeps_an_earlier_result(base: Path, tmp_path: Path, capsys) -> None:
    """A good run writes out/lfw.json; a later failing run with the same --out leaves it byte for byte."""
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    argv = [a.replace("{ws}", str(ws)) for a in EMB]
    assert run(argv, capsys)[0] == 0
    good = (ws / "out" / "lfw.json").read_bytes()
    npz(embeddings=with_rows("embeddings", np.nan, [0]))(ws)
    status, err = run([*argv, "--rule", "all", "--pair-scores", str(ws / "out" / "pairs.csv")], capsys)
    assert status == 2 and "emb.npz" in err
    assert (ws / "out" / "lfw.json").read_bytes() == good and not (ws / "out" / "pairs.csv").exists()
    assert sorted(p.name for p in (ws / "out").iterdir()) == sorted(EARLIER)
