"""`sphere bench gpu` on the CPU at tiny sizes: the files, their keys, sane figures, failure handling."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from sphere.bench.gpu import parts
from sphere.bench.gpu.device import chip, slug
from sphere.bench.gpu.flops import step_flops
from sphere.bench.gpu.hygiene import compile_counts, compile_delta
from sphere.bench.gpu.runner import PARTS, run_bench
from sphere.cli import main
from tests.fresh_python import run_python

VARIANTS = ("configured", "eager_bf16_cl", "eager_tf32", "eager_fp32")


def positive(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[dict, Path, str]:
    out = tmp_path_factory.mktemp("bench")
    main(["bench", "gpu", "--tiny", "--out", str(out), "--threads", "1"])
    record = json.loads((out / "cpu-tiny.json").read_text())
    return record, out, (out / "cpu-tiny.md").read_text()


@pytest.mark.slow
def test_every_part_runs_and_is_written(tiny_run):
    record, out, md = tiny_run
    assert sorted(p.name for p in out.iterdir()) == ["cpu-tiny.json", "cpu-tiny.md"]
    assert {"device", "sizes", "parts", "targets", "hygiene", "wall_s", "finished"} <= set(record)
    assert record["device"]["torch"] == torch.__version__ and record["device"]["slug"] == "cpu" and record["tiny"]
    weights = parts.find_mtcnn_weights(None)
    for name, _, _ in PARTS:
        expected = "ok" if name != "mtcnn" or weights else "error"
        assert record["parts"][name]["status"] == expected, (name, record["parts"][name].get("error"))
        assert f"## {name}" in md
    assert "## Targets" in md and "## Compile hygiene" in md


@pytest.mark.slow
def test_figures_are_positive_and_finite(tiny_run):
    p = tiny_run[0]["parts"]
    for model in ("sphereface20", "sphereface64"):
        step = p[f"step_{model}"]
        for variant in VARIANTS:
            v = step[variant]
            assert v["status"] == "ok" and all(positive(v[k]) for k in ("img_s", "step_ms", "tflops", "seconds"))
            assert v["steps"] >= 2 and not v["compile"]["recompiled"] and v["sync"]["checked"] is False
        assert positive(step["ratio_configured_vs_eager_fp32"]) and positive(p["flops"][model]["step_tflop"])
    assert all(positive(p["gemm_peak"][f"{k}_tflops"]) for k in ("bf16", "tf32", "fp32"))
    assert positive(p["streamed_store"]["ratio_streamed_vs_resident"])
    assert p["streamed_store"]["streamed"]["on_device"] is False
    run = p["train_run"]
    assert positive(run["step_ms"]) and positive(run["paper_schedule"]["minutes"]) and math.isfinite(run["final_loss"])
    assert run["paper_schedule"]["steps"] == 28_000 and run["paper_schedule"]["batch"] == run["batch"]
    assert run["batch_shapes"] == [[run["batch"]]] and run["static_shapes"]
    assert run["checkpoints_written"] >= 2 and positive(run["checkpoint_s"])  # one mid-run, one at the end
    assert positive(p["megaface"]["seconds"]) and positive(p["features"]["img_s"])
    assert p["features"]["model"] == "model.pt"  # the train run's network, through load_model
    if p["mtcnn"]["status"] == "ok":
        assert positive(p["mtcnn"]["img_s"])


@pytest.mark.slow
def test_targets_and_hygiene_are_reported_but_not_judged_at_tiny_size(tiny_run):
    record = tiny_run[0]
    assert [t["threshold"] for t in record["targets"]] == [">= 30,000 img/s", "< 8 min", "< 0.5 s"]
    assert all(t["met"] is None and positive(t["measured"]) for t in record["targets"])
    h = record["hygiene"]
    assert h["frames_compiled_after_warmup"] == 0 and h["static_batch_shapes"] is True and h["flag"] is False
    assert len(h["windows"]) == 2 * 4 + 2 + 1


def test_a_failing_part_is_recorded_and_the_next_still_runs(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(parts, "megaface", broken)
    record = run_bench(tmp_path, tiny=True, only=["megaface", "gemm_peak"])
    assert record["parts"]["megaface"]["status"] == "error"
    assert "simulated" in record["parts"]["megaface"]["error"]
    assert record["parts"]["gemm_peak"]["status"] == "ok"
    written = json.loads((tmp_path / "cpu-tiny.json").read_text())
    assert written["parts"]["megaface"]["error"] == record["parts"]["megaface"]["error"]


def test_parts_that_no_longer_fit_the_budget_are_skipped_and_said_so(tmp_path):
    record = run_bench(tmp_path, budget=0, tiny=False, only=["megaface", "train_run"])
    assert {p["status"] for p in record["parts"].values()} == {"skipped"}
    assert "budget" in record["parts"]["train_run"]["error"] and (tmp_path / "cpu.md").exists()


def test_unknown_parts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="step_sphereface20"):
        run_bench(tmp_path, tiny=True, only=["nope"])


def test_runs_without_snakemake_jsonschema_pyyaml_or_tqdm(tmp_path):
    """The GPU image lacks snakemake (and may lack pyyaml, tqdm): `python -m sphere bench gpu` still runs."""
    blocked = "import sys\nfor m in ('snakemake', 'jsonschema', 'yaml', 'tqdm'): sys.modules[m] = None\n"
    code = blocked + (
        f"sys.argv = ['sphere', 'bench', 'gpu', '--tiny', '--out', {str(tmp_path)!r}, '--threads', '1', "
        "'--parts', 'train_run,features']\nimport runpy\nrunpy.run_module('sphere', run_name='__main__')"
    )
    done = run_python(code, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((tmp_path / "cpu-tiny.json").read_text())
    assert record["stand_ins"] == ["yaml", "tqdm"]
    assert record["parts"]["train_run"]["status"] == "ok" and record["parts"]["features"]["status"] == "ok"
    assert "paper schedule" in done.stdout


def test_device_names_map_to_their_datasheet_rows():
    assert chip("NVIDIA H200") == "H200 SXM" and chip("NVIDIA H200 NVL") == "H200 NVL"
    assert chip("NVIDIA H100 80GB HBM3") == "H100 SXM" and chip("NVIDIA H100 PCIe") == "H100 PCIe"
    assert chip("NVIDIA A100-SXM4-80GB") == "A100" and chip("NVIDIA GeForce RTX 4090") is None
    assert slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


def test_counted_flops_of_sphereface20_are_the_papers_3_5_gflops():
    counted = step_flops("sphereface20", 1.0, 10572, (112, 96), 512)
    assert counted["forward_gflop_per_image"] == pytest.approx(3.5, rel=0.01)
    assert counted["backward_gflop_per_image"] == pytest.approx(2 * counted["forward_gflop_per_image"], rel=0.01)
    assert counted["step_tflop"] == pytest.approx(512 * 3 * 3.51e9 / 1e12, rel=0.01)


def test_compile_counters_see_a_recompilation():
    f = torch.compile(lambda x: x.sin() * 2, backend="eager")
    f(torch.ones(3))
    before = compile_counts()
    f(torch.ones(3))
    assert not compile_delta(before, compile_counts())["recompiled"]
    f(torch.ones(2, 2))
    assert compile_delta(before, compile_counts())["recompiled"]
