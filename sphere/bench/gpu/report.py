"""What `sphere bench gpu` writes and prints: targets, compile hygiene, the Markdown page, the summary."""

from __future__ import annotations

import math
from collections.abc import Callable

VARIANT_LABELS = {
    "configured": "configured (what `sphere train` runs)",
    "eager_bf16_cl": "eager bf16 channels_last",
    "eager_tf32": "eager TF32",
    "eager_fp32": "eager fp32",
}


def get(record: dict, *keys):
    """record[k1][k2]... or None where any level is missing."""
    value = record.get("parts", {})
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def fmt(value, spec: str = ",.0f", unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:{spec}}{unit}"


# target, threshold text, where the figure is, test, unit
TARGETS: list[tuple[str, str, tuple, Callable[[float], bool], str]] = [
    (
        "SphereFace-20 training step end to end (batch 512, 112x96, 10,572 classes, A-Softmax m=4)",
        ">= 30,000 img/s",
        ("step_sphereface20", "configured", "img_s"),
        lambda v: v >= 30_000,
        "img/s",
    ),
    (
        "paper schedule (28K steps x 512) projected from a real `train()` run",
        "< 8 min",
        ("train_run", "paper_schedule", "minutes"),
        lambda v: v < 8,
        "min",
    ),
    (
        "MegaFace 3,530 probes x 1M x 512 distractors, whole ladder",
        "< 0.5 s",
        ("megaface", "seconds"),
        lambda v: v < 0.5,
        "s",
    ),
]


def targets(record: dict) -> list[dict]:
    """Each speed target with its measured figure; `met` is None unless this was a full-size CUDA run."""
    full = not record.get("tiny") and record.get("device", {}).get("type") == "cuda"
    out = []
    for name, threshold, where, test, unit in TARGETS:
        value = get(record, *where)
        met = bool(test(value)) if full and value is not None else None
        out.append(
            {
                "target": name,
                "threshold": threshold,
                "measured": value,
                "unit": unit,
                "met": met,
                **({} if full else {"note": "not applicable: tiny run (not the target's sizes)"}),
            }
        )
    return out


def _checks(record: dict):
    """(where, compile delta, sync result) of every timed window."""
    for name, part in record.get("parts", {}).items():
        if not isinstance(part, dict):
            continue
        if name.startswith("step_"):
            for variant in VARIANT_LABELS:
                figures = part.get(variant, {})
                if "compile" in figures:
                    yield f"{name}/{variant}", figures["compile"], figures.get("sync")
        for kind in ("resident", "streamed"):
            if isinstance(part.get(kind), dict) and "compile" in part[kind]:
                yield f"{name}/{kind}", part[kind]["compile"], part[kind].get("sync")
        if "compile_after_warmup" in part:
            yield name, part["compile_after_warmup"], None


def hygiene(record: dict) -> dict:
    """Frames compiled after warm-up and synchronisations inside timed steps, summed; static batch shapes."""
    rows = [
        {
            "where": where,
            "frames_compiled": delta["frames_compiled"],
            "graph_breaks": delta["graph_breaks"],
            "synchronisations": sync.get("synchronisations") if sync and sync.get("checked") else None,
        }
        for where, delta, sync in _checks(record)
    ]
    syncs = [r["synchronisations"] for r in rows if r["synchronisations"] is not None]
    static = get(record, "train_run", "static_shapes")
    recompiles = sum(r["frames_compiled"] for r in rows)
    return {
        "frames_compiled_after_warmup": recompiles,
        "synchronisations_in_steps": sum(syncs) if syncs else None,
        "sync_checked": bool(syncs),
        "static_batch_shapes": static,
        "flag": recompiles > 0 or bool(syncs and sum(syncs)) or static is False,
        "windows": rows,
    }


def _variant_rows(part: dict) -> list[str]:
    rows = []
    for variant, label in VARIANT_LABELS.items():
        v = part.get(variant)
        if not isinstance(v, dict):
            continue
        if v.get("status") != "ok":
            rows.append(f"| {label} | {v.get('status')}: {v.get('error', '')[:120]} | | | | | | |")
            continue
        sync = v.get("sync", {})
        rows.append(
            f"| {label} | {fmt(v['img_s'])} | {fmt(v['step_ms'], '.1f')} | {fmt(v.get('tflops'), '.3g')} | "
            f"{fmt(v.get('fraction_of_peak'), '.0%')} {v.get('peak_kind', '')} | "
            f"{fmt(v.get('fraction_of_measured_gemm'), '.0%')} | {v['compile']['frames_compiled']} | "
            f"{sync.get('synchronisations') if sync.get('checked') else 'n/a'} |"
        )
    return rows


def markdown(record: dict) -> str:
    """The `.md` page: device, every figure with its setting, targets and hygiene."""
    d = record["device"]
    lines = [
        f"# sphere bench gpu: {d['name']}",
        "",
        f"{d.get('chip') or 'unknown chip (no peak ratio)'}; torch {d['torch']}, CUDA {d.get('cuda')}, "
        f"cuDNN {d.get('cudnn', '-')}, Python {d['python']}; {'tiny sizes' if record['tiny'] else 'full sizes'}; "
        f"budget {record['budget_s']:.0f} s, wall {record.get('wall_s', 0):.0f} s; started {record['started']}.",
        f"Command: `{record['command'].strip()}`. Stand-ins for absent packages: "
        f"{', '.join(record['stand_ins']) or 'none'}.",
        "",
    ]
    if d.get("peaks_tflops"):
        p = d["peaks_tflops"]
        lines += [f"Datasheet dense peaks (TFLOP/s): bf16 {p['bf16']}, TF32 {p['tf32']}, fp32 {p['fp32']}.", ""]
    lines += ["## Targets", "", "| target | threshold | measured | met |", "| --- | --- | --- | --- |"]
    for t in record.get("targets", []):
        met = {True: "yes", False: "no", None: "n/a"}[t["met"]]
        lines.append(f"| {t['target']} | {t['threshold']} | {fmt(t['measured'], ',.2f')} {t['unit']} | {met} |")
    for name, part in record.get("parts", {}).items():
        lines += ["", f"## {name} ({part.get('status')}, {fmt(part.get('wall_s'), '.1f')} s wall)", ""]
        if part.get("status") in ("error", "skipped", "interrupted"):
            lines += [f"{part.get('status')}: `{part.get('error', '')}`", ""]
        lines += _part_markdown(name, part)
    h = record.get("hygiene", {})
    lines += [
        "",
        "## Compile hygiene",
        "",
        f"Frames compiled after warm-up: {h.get('frames_compiled_after_warmup')}; synchronisations inside "
        f"timed steps: {h.get('synchronisations_in_steps') if h.get('sync_checked') else 'not checked (CPU)'}; "
        f"static batch shapes in the train run: {h.get('static_batch_shapes')}; "
        f"{'FLAGGED' if h.get('flag') else 'clean'}.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _part_markdown(name: str, part: dict) -> list[str]:
    if name.startswith("step_"):
        head = (
            f"{part.get('model')} x{part.get('width')}, batch {part.get('batch')}, {part.get('classes')} classes, "
            f"{part.get('crop')}, {part.get('loss')}, {part.get('store')}; {fmt(part.get('step_tflop'), '.3g')} "
            "TFLOP per step counted (FlopCounterMode, conv + matmul)"
        )
        rows = [
            "| variant | img/s | ms/step | TFLOP/s | of datasheet peak | of measured GEMM | frames compiled after "
            "warm-up | syncs in steps |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *_variant_rows(part),
        ]
        ratios = [f"{k[6:].replace('_vs_', ' / ')} {v:.2f}x" for k, v in part.items() if k.startswith("ratio_")]
        return [head, "", *rows, "", "Ratios: " + (", ".join(ratios) or "-")]
    if name == "gemm_peak":
        return [
            f"{part.get('n')}^3 matmul: bf16 {fmt(part.get('bf16_tflops'), '.3g')}, TF32 "
            f"{fmt(part.get('tf32_tflops'), '.3g')}, fp32 {fmt(part.get('fp32_tflops'), '.3g')} TFLOP/s"
        ]
    if name == "flops":
        out = []
        for model in ("sphereface20", "sphereface64"):
            f = part.get(model)
            if isinstance(f, dict):
                out.append(
                    f"- {model}: forward {f['forward_gflop_per_image']:.3f} GFLOP/image, backward "
                    f"{f['backward_gflop_per_image']:.3f}, {f['step_tflop']:.3g} TFLOP per step of "
                    f"{f['batch']} ({f['method']})"
                )
        if part.get("paper_sphereface20_forward_gflop"):
            out.append("- paper: SphereFace-20 forward 3.5 GFLOPs (docs/paper.md §2)")
        return out
    if name == "streamed_store":
        r, s = part.get("resident", {}), part.get("streamed", {})
        return [
            f"SphereFace-20 configured, batch {part.get('batch')}, {part.get('store_images')} faces "
            f"({fmt(part.get('store_mib'), '.0f')} MiB): resident {fmt(r.get('img_s'))} img/s, streamed (pinned "
            f"double buffer) {fmt(s.get('img_s'))} img/s, "
            f"ratio {fmt(part.get('ratio_streamed_vs_resident'), '.2f')}"
        ]
    if name == "train_run":
        p = part.get("paper_schedule", {})
        retry = f" (compiled run failed: {part['compiled_run_error'][:200]})" if part.get("compiled_run_error") else ""
        return [
            f"`sphere.train.loop.train`, {part.get('model')} x{part.get('width')}, "
            f"compile {part.get('compile')}{retry}, "
            f"batch {part.get('batch')}, "
            f"{part.get('steps')} steps ({part.get('warm_steps')} warm-up): {fmt(part.get('step_ms'), '.2f')} "
            f"ms/step = {fmt(part.get('img_s'))} img/s; start-up (store, build, compile, warm-up) "
            f"{fmt(part.get('startup_s'), '.1f')} s; final loss {fmt(part.get('final_loss'), '.3f')}; batch shapes "
            f"{part.get('batch_shapes')}; {part.get('checkpoints_written')} checkpoints at "
            f"{fmt(part.get('checkpoint_s'), '.2f')} s",
            "",
            f"Paper schedule: {fmt(p.get('minutes'), '.2f')} min ({fmt(p.get('minutes_with_startup'), '.2f')} "
            f"with start-up): {p.get('note', '')}.",
        ]
    if name == "megaface":
        return [
            f"{part.get('probes')} probes x {fmt(part.get('distractors'))} distractors x {part.get('dim')}: "
            f"{fmt(part.get('seconds'), '.3f')} s (best of {len(part.get('runs_s', []))}); {part.get('note', '')}"
        ]
    if name == "features":
        return [
            f"{fmt(part.get('img_s'))} faces/s ({part.get('forwards_per_image')} forwards each: face + flip), "
            f"batch {part.get('batch')}, {part.get('images')} faces, {part.get('precision')}, {part.get('model')}"
        ]
    if name == "mtcnn":
        return [
            f"{fmt(part.get('img_s'), ',.1f')} img/s on {part.get('images')} photos {part.get('size')}, chunk "
            f"{part.get('chunk')}, {part.get('detected')} detected; weights {part.get('weights')}"
        ]
    return []


def part_line(name: str, part: dict) -> str:
    """One printed line per finished part."""
    if part.get("status") != "ok":
        return f"{name}: {part.get('status')}: {part.get('error', '')[:200]}"
    if name.startswith("step_"):
        figures = ", ".join(
            f"{k} {fmt(part[k].get('img_s'))} img/s" for k in VARIANT_LABELS if isinstance(part.get(k), dict)
        )
        return f"{name}: {figures} ({part['wall_s']:.0f} s)"
    text = "; ".join(line for line in _part_markdown(name, part) if line)
    return f"{name}: {text[:400]} ({part['wall_s']:.0f} s)"


def summary_lines(record: dict) -> list[str]:
    """The printed summary: device, the step table of each model, targets, hygiene."""
    d = record["device"]
    lines = [
        "",
        f"sphere bench gpu: {d['name']} ({d.get('chip') or 'no peak table entry'}), torch {d['torch']}, "
        f"CUDA {d.get('cuda')}, {'tiny' if record['tiny'] else 'full'} sizes, {record.get('wall_s', 0):.0f} s",
    ]
    for name, part in record.get("parts", {}).items():
        if name.startswith("step_") and part.get("status") == "ok":
            lines += [f"  {name} (batch {part['batch']}):"]
            for variant, label in VARIANT_LABELS.items():
                v = part.get(variant, {})
                if v.get("status") == "ok":
                    lines.append(
                        f"    {label:<40} {fmt(v['img_s']):>9} img/s  {fmt(v.get('tflops'), '.3g'):>7} "
                        f"TFLOP/s  {fmt(v.get('fraction_of_peak'), '.0%'):>4} "
                        f"of {v.get('peak_kind', '-')} peak, "
                        f"{fmt(v.get('fraction_of_measured_gemm'), '.0%')} of measured GEMM"
                    )
                elif v:
                    lines.append(f"    {label:<40} {v.get('status')}: {v.get('error', '')[:100]}")
        elif part.get("status") != "ok" or not name.startswith("step_"):
            lines.append(
                "  " + part_line(name, part) if part.get("wall_s") is not None else f"  {name}: {part.get('status')}"
            )
    for t in record.get("targets", []):
        met = {True: "MET", False: "NOT MET", None: "n/a"}[t["met"]]
        lines.append(
            f"  target {t['threshold']:<16} {fmt(t['measured'], ',.2f')} {t['unit']:<6} {met:<8} {t['target']}"
        )
    h = record.get("hygiene", {})
    lines.append(
        f"  hygiene: {h.get('frames_compiled_after_warmup')} frames compiled after warm-up, "
        f"{h.get('synchronisations_in_steps') if h.get('sync_checked') else 'unchecked (CPU)'} syncs in "
        f"steps, static batch shapes {h.get('static_batch_shapes')}: "
        f"{'FLAGGED' if h.get('flag') else 'clean'}"
    )
    return lines
