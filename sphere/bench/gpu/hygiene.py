"""Compile hygiene: frames compiled by torch.compile, and host-device synchronisations inside a step."""

from __future__ import annotations

import warnings

import torch


def compile_counts() -> dict[str, int]:
    """torch._dynamo's running counters: frames compiled (every recompilation adds one), graphs, graph breaks."""
    try:
        from torch._dynamo.utils import counters
    except Exception:  # noqa: BLE001  (a torch without dynamo: nothing was compiled)
        return {"frames_compiled": 0, "unique_graphs": 0, "graph_breaks": 0}
    return {
        "frames_compiled": int(counters["frames"]["total"]),
        "unique_graphs": int(counters["stats"]["unique_graphs"]),
        "graph_breaks": int(sum(counters["graph_break"].values())),
    }


def compile_delta(before: dict[str, int], after: dict[str, int]) -> dict:
    """What was compiled between two `compile_counts`; `recompiled` flags any frame (it should be none)."""
    delta = {k: after[k] - before[k] for k in before}
    return {
        **delta,
        "recompiled": delta["frames_compiled"] > 0,
        "frames_before": before["frames_compiled"],
        "frames_after": after["frames_compiled"],
    }


def reset_compiler() -> None:
    """Forget compiled frames (as a fresh process would): a new batch shape must not turn on dynamic shapes."""
    try:
        import torch._dynamo

        torch._dynamo.reset()
    except Exception:  # noqa: BLE001
        pass


class SyncWatch:
    """Counts synchronising CUDA calls made while `watching()` is active (`torch.cuda.set_sync_debug_mode`).

    Toggle it around the steps only: the timing loop's own `torch.cuda.synchronize` is outside.
    On the CPU there is nothing to check and `result()` says so.
    """

    def __init__(self, device: torch.device) -> None:
        self.active = device.type == "cuda"
        self.count = 0
        self.first: str | None = None

    def watching(self) -> _Watching:
        return _Watching(self)

    def result(self) -> dict:
        if not self.active:
            return {"checked": False, "note": "CPU: no host-device synchronisation to check"}
        return {
            "checked": True,
            "mode": "warn",
            "synchronisations": self.count,
            "first": self.first,
            "clean": self.count == 0,
        }


class _Watching:
    def __init__(self, watch: SyncWatch) -> None:
        self.watch = watch
        self.caught: warnings.catch_warnings | None = None
        self.records: list[warnings.WarningMessage] = []

    def __enter__(self) -> None:
        if self.watch.active:
            self.caught = warnings.catch_warnings(record=True)
            self.records = self.caught.__enter__()
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")

    def __exit__(self, *exc) -> None:
        if not self.watch.active:
            return
        torch.cuda.set_sync_debug_mode("default")
        if self.caught is not None:
            self.caught.__exit__(*exc)
        syncs = [str(r.message) for r in self.records if "synchroniz" in str(r.message).lower()]
        self.watch.count += len(syncs)
        if syncs and self.watch.first is None:
            self.watch.first = syncs[0][:300]
