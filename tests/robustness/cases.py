"""The corpus: one row per bad or unusual-but-valid input, the command that meets it and what it must say.

A row: id, how to spoil (or vary) a fresh workspace, the `sphere` command line, the exit status, and a
regular expression the one-line message must match (it names the file and line, or the config key).
Status 0 rows are valid variants real files have; they must be accepted.
"""

from __future__ import annotations

import json
import pickle
import struct
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from PIL import Image
from workspace import PAIRS, config  # noqa: I001  (sibling module of the corpus)

from sphere.train.lock import exclusive


@dataclass(frozen=True)
class Case:
    id: str
    spoil: Callable[[Path], None]
    argv: tuple[str, ...]  # "{ws}" is replaced by the workspace folder
    status: int
    message: str = ""  # regex on the last stderr line (errors) or on all of stderr (accepted runs)
    during: Callable[[Path], AbstractContextManager] | None = None  # held while the command runs


LFW = (  # the DAG's LFW scoring (`sphere evaluate` on store features; the `sphere lfw` step is gone)
    "evaluate",
    "--benchmark",
    "lfw",
    "--features",
    "{ws}/features.npy",
    "--store",
    "{ws}/store",
    "--pairs",
    "{ws}/pairs.txt",
    "--out",
    "{ws}/out/lfw",
)
ALIGN = (
    "align",
    "--root",
    "{ws}/raw",
    "--landmarks",
    "{ws}/landmarks.txt",
    "--out",
    "{ws}/out/store",
    "--crop",
    "28",
    "24",
)
YTF = (
    "evaluate",
    "--benchmark",
    "ytf",
    "--features",
    "{ws}/ytf.npy",
    "--store",
    "{ws}/ytf",
    "--pairs",
    "{ws}/splits.txt",
    "--out",
    "{ws}/out/ytf",
)
MEGAFACE = (
    "megaface",
    "--probe-features",
    "{ws}/probe.npy",
    "--probe-store",
    "{ws}/probe",
    "--distractor-features",
    "{ws}/distractor.npy",
    "--distractor-store",
    "{ws}/distractor",
    "--probe-list",
    "{ws}/lists/facescrub.json",
    "--lists",
    "{ws}/lists",
    "--out",
    "{ws}/out/megaface.json",
    "--device",
    "cpu",
)
FEATURES = (
    "features",
    "--model",
    "{ws}/model/model.pt",
    "--store",
    "{ws}/store",
    "--out",
    "{ws}/out/features.npy",
    "--device",
    "cpu",
    "--threads",
    "1",
)
TRAIN = ("train", "--config", "{ws}/config.yaml", "--method", "softmax", "--store", "{ws}/store", "--out", "{ws}/model")
CHECK = ("check-config", "{ws}/config.yaml")


def nothing(ws: Path) -> None:
    pass


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        (ws / name).write_bytes(text if isinstance(text, bytes) else text.encode())

    return spoil


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        text = (ws / name).read_text()
        assert old in text, (name, old)
        (ws / name).write_text(text.replace(old, new, 1))

    return spoil


def cfg(change: Callable[[dict], None]) -> Callable[[Path], None]:
    """Spoil the config by a function of its dict."""

    def spoil(ws: Path) -> None:
        data = config()
        change(data)
        (ws / "config.yaml").write_text(yaml.safe_dump(data, sort_keys=False))

    return spoil


def method(name: str, spec: dict) -> Callable[[dict], None]:
    return lambda c: c["methods"].__setitem__(name, spec)


def train_key(key: str, value) -> Callable[[dict], None]:
    return lambda c: c["train"].__setitem__(key, value)


def npy(name: str, change: Callable[[np.ndarray], np.ndarray]) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        np.save(ws / name, change(np.load(ws / name)))

    return spoil


def nan_row(row: int) -> Callable[[np.ndarray], np.ndarray]:
    def change(a: np.ndarray) -> np.ndarray:
        a = a.copy()
        a[row, 0] = np.nan
        return a

    return change


def index(store: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        path = ws / store / "index.csv"
        change(pd.read_csv(path)).to_csv(path, index=False)

    return spoil


def set_cell(row: int, column: str, value) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(t: pd.DataFrame) -> pd.DataFrame:
        t[column] = t[column].astype(object)
        t.loc[row, column] = value
        return t

    return change


def landmark_line(line: int, text: str) -> Callable[[Path], None]:
    """Replace line `line` (1-based) of the landmark list."""

    def spoil(ws: Path) -> None:
        lines = (ws / "landmarks.txt").read_text().splitlines()
        lines[line - 1] = text
        (ws / "landmarks.txt").write_text("\n".join(lines) + "\n")

    return spoil


def first_landmark(ws: Path) -> str:
    return (ws / "landmarks.txt").read_text().splitlines()[0].split("\t")[0]


def image(save: Callable[[Path], None]) -> Callable[[Path], None]:
    """Replace the first listed raw photo by what `save` writes at its path."""
    return lambda ws: save(ws / "raw" / first_landmark(ws))


def pil(mode: str, fmt: str = "JPEG", size: int = 64) -> Callable[[Path], None]:
    def save(path: Path) -> None:
        array = np.random.default_rng(1).integers(0, 255, (size, size, 3), dtype=np.uint8)
        picture = Image.fromarray(array).convert(mode if mode != "I;16" else "L")
        if mode == "I;16":  # a uint16 2-D array becomes a 16-bit greyscale image
            picture = Image.fromarray(np.asarray(picture).astype(np.uint16) * 257)
        picture.save(path, format=fmt)

    return save


def truncate(name: str, keep: float) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        data = (ws / name).read_bytes()
        (ws / name).write_bytes(data[: int(len(data) * keep)])

    return spoil


def crlf_bom(name: str) -> Callable[[Path], None]:
    def spoil(ws: Path) -> None:
        text = (ws / name).read_text()
        (ws / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())

    return spoil


def evil_bin(ws: Path) -> None:
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    (ws / "lfw.bin").write_bytes(pickle.dumps(([Evil()], [True])))


def labeled_faces(text: str) -> Callable[[Path], None]:
    return write("Ann.labeled_faces.txt", text)


def reader(call: str) -> tuple[str, ...]:
    """A reader without a verb of its own, run through the same one-line error reporting (see the test)."""
    return ("@reader", call)


def ckpt_garbage(ws: Path) -> None:
    (ws / "model" / "checkpoint.pt").write_bytes(b"not a checkpoint" * 100)


def ckpt_flip(ws: Path) -> None:
    path = ws / "model" / "checkpoint.pt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: only the checksum can tell
    path.write_bytes(bytes(data))


def ckpt_both(ws: Path) -> None:
    truncate("model/checkpoint.pt", 0.5)(ws)
    truncate("model/checkpoint.prev.pt", 0.5)(ws)


def small_store(ws: Path) -> None:
    """A store of 20x16 faces, smaller than the model's 28x24."""
    from sphere.store.io import read_store, write_store

    store = read_store(ws / "store")
    write_store(ws / "small", np.ascontiguousarray(store.images[:, :20, :16]), store.index)


def unwritable_out(ws: Path) -> None:
    (ws / "blocked").write_text("a file where the results folder should be\n")


CASES = [
    # --- configuration: refused before any work, naming the key and the allowed values
    Case(
        "asoftmax-m7",
        cfg(method("asoftmax-m4", {"loss": "asoftmax", "params": {"m": 7}})),
        CHECK,
        2,
        r"methods\.asoftmax-m4\.params\.m: 7 is not allowed; asoftmax margin m takes one of 1, 2, 3, 4, 5",
    ),
    Case(
        "asoftmax-m-float",
        cfg(method("asoftmax-m4", {"loss": "asoftmax", "params": {"m": 4.0}})),
        CHECK,
        2,
        r"methods\.asoftmax-m4\.params\.m: 4\.0 is not allowed",
    ),
    Case(
        "asoftmax-m-string",
        cfg(method("asoftmax-m4", {"loss": "asoftmax", "params": {"m": "4"}})),
        CHECK,
        2,
        r"methods\.asoftmax-m4\.params\.m: '4' is not allowed",
    ),
    Case(
        "lsoftmax-m-bool",
        cfg(method("ls", {"loss": "lsoftmax", "params": {"m": True}})),
        CHECK,
        2,
        r"methods\.ls\.params\.m: True is not allowed",
    ),
    Case(
        "cosface-negative-margin",
        cfg(method("cf", {"loss": "cosface", "params": {"m": -0.1}})),
        CHECK,
        2,
        r"methods\.cf\.params\.m: -0\.1 is not allowed; cosface margin m takes a number >= 0",
    ),
    Case(
        "arcface-margin-over-pi",
        cfg(method("af", {"loss": "arcface", "params": {"m": 3.5}})),
        CHECK,
        2,
        r"methods\.af\.params\.m: 3\.5 .*>= 0 and < 3\.14159",
    ),
    Case(
        "normface-zero-scale",
        cfg(method("nf", {"loss": "normface", "params": {"s": 0}})),
        CHECK,
        2,
        r"methods\.nf\.params\.s: 0 is not allowed; normface scale s takes a number > 0",
    ),
    Case(
        "sphereface-r-margin-below-1",
        cfg(method("sr", {"loss": "sphereface_r", "params": {"m": 0.5}})),
        CHECK,
        2,
        r"methods\.sr\.params\.m: 0\.5 .*>= 1",
    ),
    Case(
        "contrastive-zero-margin",
        cfg(method("c", {"loss": "contrastive", "params": {"margin": 0}})),
        CHECK,
        2,
        r"methods\.c\.params\.margin",
    ),
    Case(
        "unknown-loss-param",
        cfg(method("a", {"loss": "asoftmax", "params": {"margin": 4}})),
        CHECK,
        2,
        r"methods\.a\.params: unknown \['margin'\]",
    ),
    Case("unknown-loss", cfg(method("a", {"loss": "sphereface"})), CHECK, 2, r"methods\.a\.loss: unknown loss"),
    Case(
        "lr-steps-not-increasing",
        cfg(train_key("lr_steps", [3, 2])),
        CHECK,
        2,
        r"train\.lr_steps: \[3, 2\] must be strictly increasing",
    ),
    Case(
        "lr-steps-beyond-iterations",
        cfg(train_key("lr_steps", [2, 4])),
        CHECK,
        2,
        r"train\.lr_steps: step\(s\) \[4\] not below train\.iterations = 4",
    ),
    Case(
        "method-lr-steps-beyond",
        cfg(method("a", {"loss": "softmax", "train": {"iterations": 2}})),
        CHECK,
        2,
        r"train\.lr_steps: step\(s\) \[3\] not below methods\.a\.train\.iterations = 2",
    ),
    Case(
        "checkpoint-every-zero",
        cfg(train_key("checkpoint_every", 0)),
        CHECK,
        2,
        r"train\.checkpoint_every: 0 is less than the minimum of 1",
    ),
    Case(
        "pair-loss-batch-too-small",
        cfg(method("c", {"loss": "contrastive", "train": {"batch_size": 6}})),
        CHECK,
        2,
        r"methods\.c\.train\.batch_size: 6 holds fewer than 2 identities",
    ),
    Case("device-misspelt", cfg(train_key("device", "gpu")), CHECK, 2, r"train\.device: 'gpu' is not a device"),
    Case("unknown-train-key", cfg(train_key("batch_sise", 8)), CHECK, 2, r"train: Additional properties.*batch_sise"),
    Case(
        "annealing-negative",
        cfg(lambda c: c["annealing"].__setitem__("gamma", -1)),
        CHECK,
        2,
        r"annealing\.gamma: -1 is less than the minimum of 0",
    ),
    Case(
        "table-names-undefined-method",
        cfg(lambda c: c["tables"]["accuracy_vs_m"].append("m9")),
        CHECK,
        2,
        r"tables\.accuracy_vs_m: method 'm9' is not defined",
    ),
    Case(
        "folder-paths-missing",
        cfg(
            lambda c: c.__setitem__(
                "data",
                {
                    "source": "folders",
                    "train_root": "/nonexistent/casia",
                    "test_root": "/nonexistent/lfw",
                    "pairs": "/nonexistent/pairs.txt",
                    "train_landmarks": "/x",
                    "test_landmarks": "/y",
                },
            )
        ),
        CHECK,
        2,
        r"data\.train_root: /nonexistent/casia not found",
    ),
    Case(
        "yaml-syntax",
        write("config.yaml", "run: corpus\nmethods: {softmax: {loss: softmax}\ntables: {}\n"),
        CHECK,
        2,
        r"config\.yaml:\d+: not valid YAML",
    ),
    Case("config-missing", lambda ws: (ws / "config.yaml").unlink(), CHECK, 2, r"config\.yaml: cannot read the config"),
    Case("config-bom-crlf", crlf_bom("config.yaml"), CHECK, 0, r""),
    Case(
        "train-refuses-m7-before-work",
        cfg(method("softmax", {"loss": "asoftmax", "params": {"m": 7}})),
        TRAIN,
        2,
        r"methods\.softmax\.params\.m: 7",
    ),
    # --- LFW pairs, features and store
    Case("pairs-bom", lambda ws: (ws / "pairs.txt").write_bytes(b"\xef\xbb\xbf" + PAIRS.encode()), LFW, 0),
    Case(
        "pairs-crlf-tabs-blanks",
        write("pairs.txt", "\r\n" + PAIRS.replace(" ", "\t").replace("\n", "  \r\n") + "\r\n\r\n"),
        LFW,
        0,
    ),
    Case("pairs-short-line", edit("pairs.txt", "Bob 1 3", "Bob 1"), LFW, 2, r"pairs\.txt:3: expected a same-person"),
    Case(
        "pairs-image-not-in-store",
        edit("pairs.txt", "Dan 1 2", "Dan 1 7"),
        LFW,
        2,
        r"pairs\.txt:7: 'Dan/Dan_0007\.jpg' has no embedding in .*features\.npy",
    ),
    Case("pairs-count-mismatch", edit("pairs.txt", "2 2", "2 3"), LFW, 2, r"pairs\.txt: header promises 2 folds x 6"),
    Case(
        "pairs-not-utf8",
        write("pairs.txt", PAIRS.encode().replace(b"Cyd 2", b"C\xffd 2")),
        LFW,
        2,
        r"pairs\.txt:6: not UTF-8 text",
    ),
    Case("pairs-missing", lambda ws: (ws / "pairs.txt").unlink(), LFW, 2, r"pairs\.txt: file not found"),
    Case(
        "features-nan-row",
        npy("features.npy", nan_row(5)),
        LFW,
        2,
        r"features\.npy: row 5 \('Bob/Bob_0003\.jpg'\) is not finite",
    ),
    Case(
        "features-inf-row",
        npy("features.npy", lambda a: np.where(np.arange(12)[:, None] == 0, np.inf, a)),
        LFW,
        2,
        r"features\.npy: row 0 .* is not finite",
    ),
    Case(
        "features-fewer-rows",
        npy("features.npy", lambda a: a[:10]),
        LFW,
        2,
        r"features\.npy: 10 feature rows but .*store/index\.csv lists 12 faces",
    ),
    Case(
        "features-not-npy", write("features.npy", b"\x93NUMPY garbage"), LFW, 2, r"features\.npy: not a readable \.npy"
    ),
    Case("features-truncated", truncate("features.npy", 0.6), LFW, 2, r"features\.npy: not a readable \.npy"),
    Case("features-1d", npy("features.npy", lambda a: a[:, 0]), LFW, 2, r"features\.npy: expected a 2-D float array"),
    Case(
        "store-index-missing",
        lambda ws: (ws / "store" / "index.csv").unlink(),
        LFW,
        2,
        r"store/index\.csv: no packed store here",
    ),
    Case(
        "store-index-short", index("store", lambda t: t.iloc[:-1]), LFW, 2, r"store/index\.csv: 11 rows for 12 images"
    ),
    Case(
        "store-index-nan-landmark",
        index("store", set_cell(3, "x2", "nan")),
        LFW,
        2,
        r"store/index\.csv:5: landmarks must be finite",
    ),
    Case(
        "store-images-corrupt",
        write("store/images.npy", b"PK\x03\x04 not numpy"),
        LFW,
        2,
        r"store/images\.npy: not a readable \.npy",
    ),
    Case("lfw-out-unwritable", unwritable_out, LFW[:-1] + ("{ws}/blocked/lfw",), 2, r"cannot write .*blocked/lfw"),
    # --- landmarks and images (align)
    Case(
        "landmarks-nan",
        landmark_line(2, "Ann/Ann_0002.jpg\t" + "\t".join(["nan"] + ["20"] * 9)),
        ALIGN,
        2,
        r"landmarks\.txt:2: coordinates must be finite",
    ),
    Case(
        "landmarks-five-identical-points",
        landmark_line(3, "Ann/Ann_0003.jpg\t" + "\t".join(["30"] * 10)),
        ALIGN,
        2,
        r"landmarks\.txt:3: degenerate landmarks",
    ),
    Case(
        "landmarks-short-line",
        landmark_line(4, "Bob/Bob_0001.jpg\t1\t2"),
        ALIGN,
        2,
        r"landmarks\.txt:4: expected a path and 10 coordinates",
    ),
    Case(
        "landmarks-contradicting-repeat",
        lambda ws: (ws / "landmarks.txt").write_text(
            (ws / "landmarks.txt").read_text() + "Ann/Ann_0001.jpg\t" + "\t".join(str(v) for v in range(10, 20)) + "\n"
        ),
        ALIGN,
        2,
        r"landmarks\.txt:13: 'Ann/Ann_0001\.jpg' listed again with other points \(first at line 1\)",
    ),
    Case(
        "landmarks-bom-crlf-spaces",
        lambda ws: (ws / "landmarks.txt").write_bytes(
            b"\xef\xbb\xbf" + (ws / "landmarks.txt").read_text().replace("\t", "   ").replace("\n", "\r\n").encode()
        ),
        ALIGN,
        0,
    ),
    Case(
        "image-missing",
        lambda ws: (ws / "raw" / first_landmark(ws)).unlink(),
        ALIGN,
        2,
        r"raw/Ann/Ann_0001\.jpg: image not found",
    ),
    Case(
        "image-truncated-jpeg",
        lambda ws: truncate(f"raw/{first_landmark(ws)}", 0.3)(ws),
        ALIGN,
        2,
        r"raw/Ann/Ann_0001\.jpg: cannot decode image",
    ),
    Case(
        "image-not-an-image",
        lambda ws: (ws / "raw" / first_landmark(ws)).write_text("hello"),
        ALIGN,
        2,
        r"raw/Ann/Ann_0001\.jpg: cannot decode image",
    ),
    Case("image-grayscale", image(pil("L")), ALIGN, 0),
    Case("image-cmyk", image(pil("CMYK")), ALIGN, 0),
    Case("image-png-named-jpg", image(pil("RGBA", "PNG")), ALIGN, 0),
    Case("image-16-bit-png", image(pil("I;16", "PNG")), ALIGN, 0),
    Case(
        "detections-unknown-state",
        lambda ws: (ws / "det.csv").write_text(
            "path,detection\n"
            + "".join(
                f"{line.split(chr(9))[0]},{'guessed' if i == 2 else 'detected'}\n"
                for i, line in enumerate((ws / "landmarks.txt").read_text().splitlines())
            )
        ),
        ALIGN + ("--detections", "{ws}/det.csv"),
        2,
        r"det\.csv:4: unknown detection outcome 'guessed'",
    ),
    Case(
        "detections-bom-crlf",
        lambda ws: (ws / "det.csv").write_bytes(
            b"\xef\xbb\xbf"
            + (
                "path,detection\r\n"
                + "".join(
                    f"{line.split(chr(9))[0]},detected\r\n" for line in (ws / "landmarks.txt").read_text().splitlines()
                )
            ).encode()
        ),
        ALIGN + ("--detections", "{ws}/det.csv"),
        0,
    ),
    # --- YouTube Faces
    Case("ytf-splits-bom-crlf", crlf_bom("splits.txt"), YTF, 0),
    Case(
        "ytf-splits-bad-same",
        edit("splits.txt", "P1/0, P2/0, 0", "P1/0, P2/0, maybe"),
        YTF,
        2,
        r"splits\.txt:3: is_same must be 0 or 1",
    ),
    Case(
        "ytf-splits-video-not-in-store",
        edit("splits.txt", "P3/0, P0/0", "P3/7, P0/0"),
        YTF,
        2,
        r"splits\.txt:5: 'P3/7' has no embedding in .*ytf\.npy",
    ),
    Case("ytf-features-nan", npy("ytf.npy", nan_row(9)), YTF, 2, r"ytf\.npy: row 9 \('P2/0/0\.2\.jpg'\) is not finite"),
    Case(
        "ytf-boxes-nan",
        labeled_faces("Ann\\0\\0.1.jpg,0,nan,10,20,20,0.0,1\n"),
        reader("sphere.formats.ytf:read_labeled_faces:Ann.labeled_faces.txt"),
        2,
        r"Ann\.labeled_faces\.txt:1: box x, y, width, height must be finite",
    ),
    # --- MegaFace
    Case(
        "megaface-list-bom",
        lambda ws: (ws / "lists" / "facescrub.json").write_bytes(
            b"\xef\xbb\xbf" + (ws / "lists" / "facescrub.json").read_bytes()
        ),
        MEGAFACE,
        0,
    ),
    Case(
        "megaface-list-bad-json",
        write("lists/facescrub.json", '{"path": ["Ann/Ann_1.png",\n "id": ]}'),
        MEGAFACE,
        2,
        r"facescrub\.json:2: invalid JSON",
    ),
    Case(
        "megaface-distractor-not-in-store",
        lambda ws: (ws / "lists" / "megaface_features_list.json_10_1").write_text(
            json.dumps({"path": [f"d/{i}.jpg" for i in range(9)] + ["d/99.jpg"]})
        ),
        MEGAFACE,
        2,
        r"megaface_features_list\.json_10_1 \(distractor list\): 1 images are not in the store",
    ),
    Case(
        "megaface-distractor-features-short",
        npy("distractor.npy", lambda a: a[:8]),
        MEGAFACE,
        2,
        r"distractor\.npy: 8 feature rows but .*distractor/index\.csv lists 10",
    ),
    Case(
        "megaface-feature-bin-nan",
        write("f.bin", struct.pack("<4i", 2, 1, 4, 5) + struct.pack("<2f", 1, np.nan)),
        reader("sphere.formats.megaface:read_feature_bin:f.bin"),
        2,
        r"f\.bin: value 1 of 2 is not finite",
    ),
    # --- models, checkpoints, concurrent runs
    Case("model-truncated", truncate("model/model.pt", 0.5), FEATURES, 2, r"model\.pt: not a readable model"),
    Case(
        "model-crop-mismatch",
        small_store,
        FEATURES[:4] + ("{ws}/small",) + FEATURES[5:],
        2,
        r"small: faces of 20x16 but .*model\.pt was trained on 28x24 crops",
    ),
    Case(
        "checkpoint-garbage",
        ckpt_garbage,
        TRAIN,
        0,
        r"checkpoint\.pt SHA-256 does not match checkpoint\.sha256.*set aside as checkpoint\.pt\.corrupt",
    ),
    Case(
        "checkpoint-one-flipped-byte",
        ckpt_flip,
        TRAIN,
        0,
        r"checkpoint\.pt SHA-256 does not match.*resuming from "
        r".*checkpoint\.prev\.pt \(step 2\)",
    ),
    Case(
        "checkpoints-both-truncated",
        ckpt_both,
        TRAIN,
        0,
        r"checkpoint\.pt .*set aside.*checkpoint\.prev\.pt .*set aside as checkpoint\.prev\.pt\.corrupt",
    ),
    Case(
        "train-out-locked",
        nothing,
        TRAIN,
        2,
        r"model: another `sphere train` \(pid \d+\) is writing here",
        during=lambda ws: exclusive(ws / "model"),
    ),
    # --- other readers: RecordIO, .bin sets
    Case(
        "recordio-idx-bad-line",
        write("train.idx", "0\t0\n1\toffset\n"),
        reader("sphere.formats.recordio:read_index:train.idx"),
        2,
        r"train\.idx:2: expected 'key<TAB>offset'",
    ),
    Case(
        "recordio-idx-crlf-spaces",
        write("train.idx", "\ufeff0 0\r\n1   24\r\n"),
        reader("sphere.formats.recordio:read_index:train.idx"),
        0,
    ),
    Case(
        "bin-refuses-code",
        evil_bin,
        reader("sphere.formats.verification_bin:read_verification_bin:lfw.bin"),
        2,
        r"lfw\.bin: refusing to load global builtins\.print",
    ),
    Case(
        "bin-truncated",
        lambda ws: (ws / "lfw.bin").write_bytes(pickle.dumps(([b"x"] * 4, [True, False]))[:20]),
        reader("sphere.formats.verification_bin:read_verification_bin:lfw.bin"),
        2,
        r"lfw\.bin: not a readable verification pickle",
    ),
]
