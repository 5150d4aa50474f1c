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


def test_usage_counts_the_cpu_seconds_and_memory_the_process_spent(tmp_path) -> None:
    """In a fresh process: ~0.3 s of busy CPU and a 200 MB array show in the record, which
    tables/resources.csv reads with Snakemake's column names."""
    from sphere.report.resources import read_benchmark

    usage = tmp_path / "usage.tsv"
    code = (
        "import time, numpy as np\n"
        "from sphere import runtime\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "a = np.ones(25_000_000)\n"
        f"runtime.write_usage({str(usage)!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    record = read_benchmark(usage)
    assert record["cpu_s"] >= 0.3 and record["wall_s"] >= 0.3
    assert 200 <= record["max_rss_mb"] < 1000


@pytest.mark.parametrize(("status", "code", "stderr"), [(None, 0, ""), (3, 3, ""), ("no run", 1, "no run\n")])
def test_exit_fast_ends_like_sys_exit(status, code, stderr) -> None:
    """Buffered output is flushed and atexit handlers run before the teardown is skipped."""
    script = (
        "import atexit, sys\n"
        "from sphere import runtime\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('buffered ')\n"
        f"runtime.exit_fast({status!r})\n"
        "print('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (code, "buffered handler ran\n", stderr)
