import numpy as np
import torch

from sphere.train.device_store import DeviceStore


def test_host_and_device_paths_give_the_same_batches():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (20, 4, 3, 3), dtype=np.uint8)
    labels = np.arange(20) % 4
    resident = DeviceStore(images, labels, torch.device("cpu"), on_device=True)
    streamed = DeviceStore(images, labels, torch.device("cpu"), on_device=False)
    for _ in range(5):  # more batches than buffers, so both alternate
        index = torch.from_numpy(rng.choice(20, 6, replace=False))
        flip = torch.from_numpy(rng.random(6) < 0.5)
        a, b = resident.batch(index, flip), streamed.batch(index, flip)
        assert all(torch.equal(x, y) for x, y in zip(a, b))
        assert torch.equal(a[0], torch.from_numpy(images[index.numpy()]))
        assert torch.equal(a[2], torch.from_numpy(labels[index.numpy()]))
