"""A second LFW variant, prepared the way insightface prepares its `lfw.bin`: each photo aligned onto
insightface's 112x112 five-point template (a least-squares similarity from the image points onto the
template, in 0-based pixel coordinates, as its `norm_crop` does), the pairs written as an insightface
verification `.bin`. The landmarks are a run's MTCNN detections (its test store index).

It checks that a checkpoint does not depend on the DAG's own crops: `sphere evaluate --model CKPT
--benchmark lfw --bin OUT` fits each 112x112 face to the model's input (sphere.evaluate.faces.fit).
Usage: python scripts/lfw_bin_variant.py results/celeba-lfw/stores/test LFW_ROOT PAIRS OUT.bin
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sphere.align.similarity import INSIGHTFACE_112x112, similarity_transform, warp
from sphere.evaluate.faces import read_rgb
from sphere.formats.bin_writer import write_verification_bin
from sphere.formats.lfw import read_pairs


def main(store: str, root: str, pairs_file: str, out: str) -> None:
    index = pd.read_csv(Path(store) / "index.csv").set_index("path")
    points = index[[f"{a}{i}" for i in range(1, 6) for a in "xy"]]
    pairs = read_pairs(pairs_file)
    crops = {}
    for path in sorted({p for pair in pairs for p in (pair.path1, pair.path2)}):
        landmarks = points.loc[path].to_numpy(np.float64).reshape(5, 2)
        crops[path] = warp(
            read_rgb(Path(root) / path), similarity_transform(landmarks, INSIGHTFACE_112x112), (112, 112)
        )
    images = [crops[p] for pair in pairs for p in (pair.path1, pair.path2)]
    print(write_verification_bin(out, images, [pair.same for pair in pairs]), f"{len(pairs)} pairs")


if __name__ == "__main__":
    main(*sys.argv[1:])
