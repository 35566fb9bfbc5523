"""The PyTorch profiler around the lite interpreter's forward, on the host.

The mobile module dispatches each operator through ATen, so `torch.autograd.profiler` records it. Each
profiled inference is wrapped in one `record_function` range; its direct children are the operators
(their nested ATen calls are inside their times), and the range is the profiled inference time. The
first inference under the profiler carries the profiler's own start (measured here at 30 times a
later one on a tiny model), so one more inference runs than asked and the first is dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from harness.runtimes.torchscript.session import load

PROFILER = "torch.autograd.profiler"
_RANGE = "mobile-bench inference"


def profile(path: Path, delegate: str, threads: int, inputs: list[np.ndarray], warmup_runs: int, runs: int,
            folder: Path) -> dict:
    session = load(path, delegate, threads)
    session.set_inputs(inputs)
    for _ in range(1 + warmup_runs):
        session.run()
    with torch.autograd.profiler.profile() as recorded:
        for _ in range(runs + 1):
            with torch.autograd.profiler.record_function(_RANGE):
                session.run()
    return read_events(recorded.function_events)


def read_events(events) -> dict:
    """One operator entry per position in the inference (the n-th operator of every run), in order,
    the first profiled inference left out."""
    ranges = sorted((e for e in events if e.name == _RANGE), key=lambda e: e.time_range.start)[1:]
    inference_ns, per_run = [], []
    for inference in ranges:
        inference_ns.append(round(inference.cpu_time_total * 1e3))
        children = sorted(inference.cpu_children, key=lambda e: e.time_range.start)
        per_run.append([(child.name, round(child.cpu_time_total * 1e3)) for child in children])
    operators = []
    for position, (name, _) in enumerate(per_run[0] if per_run else []):
        if any(len(run) <= position or run[position][0] != name for run in per_run):
            raise RuntimeError("the profiled inferences ran different operators; no per-operator times to compare")
        operators.append({"name": name, "type": name, "ran_on": "cpu", "calls": 1,
                          "samples_ns": [run[position][1] for run in per_run]})
    return {"profiler": PROFILER, "inferences": len(inference_ns), "inference_ns": inference_ns,
            "operators": operators}
