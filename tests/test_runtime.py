import subprocess
import sys

import pytest

from sphere import runtime
from sphere.errors import UserError


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with runtime.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_an_unwritable_folder_names_the_path(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match=r"cannot write .*file/sub/out\.txt"):
        runtime.write_text(tmp_path / "file" / "sub" / "out.txt", "y")


FAULTS_OF_A_TRAINING_LOOP = """
import resource, sys
import torch
from torch import nn
from sphere import runtime
if sys.argv[1] == "keep":
    runtime.keep_freed_memory()
torch.set_num_threads(1)
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.PReLU(16), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                    nn.PReLU(32), nn.Flatten(), nn.Linear(32 * 20 * 16, 10))
x, y = torch.randn(128, 3, 40, 32), torch.randint(0, 10, (128,))
def step():
    net.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(net(x), y).backward()
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_keep_freed_memory_stops_the_page_faults_of_each_step() -> None:
    """A training step's buffers come back from the heap instead of being faulted in again each step."""

    def faults(mode: str) -> int:
        run = subprocess.run([sys.executable, "-c", FAULTS_OF_A_TRAINING_LOOP, mode], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return int(run.stdout.split()[-1])

    default, kept = faults("default"), faults("keep")
    assert kept < default / 5, (kept, default)
