"""Benchmark: test features (FC1 of the face and of its mirror image, docs/paper.md §3) of a batch of faces.

A SphereFace-20 at width 1/4 on 56x48 crops, the CPU-sized network of the README's "GPUs, clusters and speed", over 128
uint8 faces: two forward passes per face, as `sphere features` runs them.

In a normal test run (`--benchmark-disable` in addopts) it runs once and its assertions hold.
For figures:  pytest tests/benchmarks --benchmark-enable
"""

from __future__ import annotations

import numpy as np
import torch

from sphere.features import extract
from sphere.models import create_model

FACES, CROP, DIM = 128, (56, 48), 512


def test_extract_features(benchmark):
    torch.manual_seed(0)
    model = create_model("sphereface20", width=0.25, feature_dim=DIM, input_size=CROP).eval()
    images = np.random.default_rng(0).integers(0, 256, (FACES, *CROP, 3), dtype=np.uint8)

    features = benchmark(extract, model, images, batch_size=FACES)
    benchmark.extra_info["images_per_call"] = FACES

    assert features.dtype == np.float32 and features.shape == (FACES, 2 * DIM)
    assert np.isfinite(features).all()
    # The second half is FC1 of the mirrored face: mirroring the input swaps the halves.
    mirrored = extract(model, images[:, :, ::-1], batch_size=FACES)
    np.testing.assert_allclose(mirrored[:, :DIM], features[:, DIM:], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mirrored[:, DIM:], features[:, :DIM], rtol=1e-4, atol=1e-4)
