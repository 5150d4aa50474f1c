"""The store is read through its memory map: no private copy per process (issue 22, item 2)."""

import sys
import textwrap

import numpy as np
import pytest
import torch
import yaml

from sphere.store.io import read_store
from sphere.train.device_store import DeviceStore
from tests.train.ddp import tiny_config, torchrun, train_args


def test_host_faces_are_the_memory_map_itself(tiny_store):
    store = read_store(tiny_store)
    source = DeviceStore(store.images, store.index["label"].to_numpy(), torch.device("cpu"))
    assert source.images.data_ptr() == store.images.ctypes.data  # the mapped pages, not a copy
    index, flip = torch.tensor([3, 0, 17]), torch.tensor([False, True, False])
    faces, _, labels = source.batch(index, flip)
    assert torch.equal(faces, torch.from_numpy(np.array(store.images[[3, 0, 17]])))
    assert labels.tolist() == store.index["label"].iloc[[3, 0, 17]].tolist()


RANK_SCRIPT = textwrap.dedent(
    """
    import os
    import sys
    from pathlib import Path

    import sphere.train.loop as loop

    def mapped_from(address):
        \"\"\"The file whose mapping in this process holds `address` (None for anonymous, private memory).\"\"\"
        for line in open("/proc/self/maps"):
            fields = line.split()
            low, high = (int(v, 16) for v in fields[0].split("-"))
            if low <= address < high:
                return fields[5] if len(fields) > 5 else None

    class Recorded(loop.DeviceStore):
        def __init__(self, images, *args, **kwargs):
            super().__init__(images, *args, **kwargs)
            out = Path(sys.argv[sys.argv.index("--out") + 1])
            out.mkdir(parents=True, exist_ok=True)
            where = mapped_from(self.images.data_ptr())
            (out / f"mapped-rank{os.environ.get('RANK', '0')}.txt").write_text(str(where))

    loop.DeviceStore = Recorded
    from sphere.cli import main

    main(sys.argv[1:])
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_two_ddp_ranks_train_on_the_shared_memory_map(tiny_store, tmp_path):
    config = tiny_config(tmp_path, {"m": 4}, iterations=4, lr_steps=[3], checkpoint_every=4)
    (tmp_path / "rank.py").write_text(RANK_SCRIPT)
    out = tmp_path / "two"
    done = torchrun(str(tmp_path / "rank.py"), *train_args(config, tiny_store, out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "model.pt").is_file()
    assert yaml.safe_load((out / "train.yaml").read_text())["processes"] == 2
    images = str((tiny_store / "images.npy").resolve())
    # each rank's faces are the pages of images.npy, mapped (one copy in the page cache), not a private array
    assert [(out / f"mapped-rank{r}.txt").read_text() for r in (0, 1)] == [images, images]
