"""PyTorch's `speed_benchmark_torch` on a phone: its flags, and its PyTorchObserver lines."""

from __future__ import annotations

import json
import re

from harness.protocol import Request
from harness.runtimes.base import PhoneTool
from harness.runtimes.tool_output import MS, NUMBER, US, ToolTiming, last

_TORCH_TYPES = {"float32": "float", "int64": "int64", "uint8": "uint8", "int8": "int8", "int32": "int"}


def arguments(request: Request, model: str, folder: str) -> list[str]:
    dims = ";".join(",".join(str(d) for d in i.shape) for i in request.inputs)
    types = ";".join(_TORCH_TYPES.get(i.dtype, i.dtype) for i in request.inputs)
    return [f"--model={model}", f"--input_dims={dims}", f"--input_type={types}", f"--warmup={request.measurement.warmup_runs}",
            f"--iter={request.measurement.min_iterations}", "--report_pep=true"]


def parse_speed_benchmark_torch(text: str, requested_delegate: str) -> ToolTiming:
    mislabelled = "Milliseconds per iter" in text
    samples = []
    for match in re.finditer(r"PyTorchObserver (\{.*\})", text):
        try:
            record = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if record.get("type") != "NET" or record.get("metric") != "latency":
            continue
        unit = "ms" if mislabelled else record.get("unit", "us")
        samples.append(int(float(record["value"]) * (MS if unit == "ms" else US)))
    summary = None
    per_iter = last(rf"(Milli|Micro)seconds per iter: ({NUMBER})", text)
    if not samples and per_iter:
        summary = {"mean": float(per_iter.group(2)) * (MS if per_iter.group(1) == "Milli" else US)}
    notes = ("this speed_benchmark_torch times whole milliseconds",) if mislabelled and samples else ()
    return ToolTiming(samples_ns=tuple(samples), summary_ns=summary, delegate_applied="none", notes=notes)


TOOL = PhoneTool("speed_benchmark_torch", fetchable=False, arguments=arguments, parse=parse_speed_benchmark_torch)
