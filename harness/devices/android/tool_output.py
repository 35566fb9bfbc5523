"""Read the output of the runtimes' own command-line benchmark tools, across their versions.

- TFLite `benchmark_model`: summary lines only (`count= first= curr= min= max= avg= std=`, in any
  order, sometimes with `p5= median= p95=`, numbers sometimes in exponent notation, lines sometimes
  prefixed `INFO:` or logcat-style), `Inference timings in us:` and memory-footprint lines.
- ExecuTorch `executor_runner`: `Iteration i of n: x ms` per iteration (newer builds), otherwise only
  `Model executed successfully n time(s) in x ms.`
- PyTorch `speed_benchmark_torch`: per-iteration `PyTorchObserver {...}` JSON lines with --report_pep.
  Builds that print `Milliseconds per iter` timed in milliseconds while labelling the lines "us".

Where a tool gives only a summary, the summary is returned and the samples stay empty.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_US, _MS = 1_000, 1_000_000  # nanoseconds per unit


@dataclass(frozen=True)
class ToolTiming:
    samples_ns: tuple[int, ...] = ()
    summary_ns: dict[str, float] | None = None  # count, mean, std, min, max, median (what the tool printed)
    load_ns: int | None = None
    first_inference_ns: int | None = None
    delegate_applied: str | None = None
    tool_peak_memory_bytes: int | None = None  # the tool's own estimate; not the harness's definition
    notes: tuple[str, ...] = field(default_factory=tuple)


def _fields(line: str) -> dict[str, float]:
    return {key: float(value) for key, value in re.findall(rf"\b(\w+)=({_NUMBER})(?![\w.])", line)}


def _last(pattern: str, text: str) -> re.Match | None:
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    return matches[-1] if matches else None


# -- TFLite benchmark_model --------------------------------------------------------------------------------

def _tflite_delegate(text: str, requested: str) -> str | None:
    if re.search(r"XNNPACK delegate", text, re.IGNORECASE):
        return "xnnpack"
    if re.search(r"GPU delegate|delegate for GPU", text, re.IGNORECASE):
        return "gpu"
    if re.search(r"NNAPI delegate", text, re.IGNORECASE):
        return "nnapi"
    return "none" if requested == "none" else None


def _tflite_memory(text: str) -> int | None:
    periodic = _last(rf"peak memory footprint \(MB\) via periodic monitoring:\s*({_NUMBER})", text)
    if periodic:
        return int(float(periodic.group(1)) * 1024 * 1024)
    legacy = _last(rf"Peak memory footprint \(MB\):.*overall=({_NUMBER})", text)
    return int(float(legacy.group(1)) * 1024 * 1024) if legacy else None


def parse_benchmark_model(text: str, requested_delegate: str) -> ToolTiming:
    runs = [_fields(line) for line in text.splitlines() if re.search(r"\bcount=\d", line)]
    main = runs[-1] if runs else {}
    timings = _last(rf"Inference timings in us: Init: ({_NUMBER}), First inference: ({_NUMBER})", text)
    summary = None
    if "avg" in main:
        summary = {"count": main["count"], "mean": main["avg"] * _US}
        for key, name in (("std", "std"), ("min", "min"), ("max", "max"), ("median", "median")):
            if key in main:
                summary[name] = main[key] * _US
    peak = _tflite_memory(text)
    return ToolTiming(
        summary_ns=summary,
        load_ns=int(float(timings.group(1)) * _US) if timings else None,
        first_inference_ns=int(float(timings.group(2)) * _US) if timings else None,
        delegate_applied=_tflite_delegate(text, requested_delegate),
        tool_peak_memory_bytes=peak,
        notes=(f"benchmark_model's own peak-memory estimate: {peak / 2**20:.1f} MB (its definition, not VmHWM)",)
        if peak else ())


# -- ExecuTorch executor_runner ----------------------------------------------------------------------------

def parse_executor_runner(text: str, requested_delegate: str) -> ToolTiming:
    iterations = [float(m.group(1)) for m in re.finditer(rf"Iteration \d+ of \d+: ({_NUMBER}) ms", text)]
    loaded = _last(rf"Model loaded in ({_NUMBER}) ms", text)
    load_ns = int(float(loaded.group(1)) * _MS) if loaded else None
    if iterations:
        # executor_runner runs no warm-ups: the first execution is the first inference, the rest are samples.
        samples = tuple(int(ms * _MS) for ms in iterations[1:])
        return ToolTiming(samples_ns=samples, load_ns=load_ns, first_inference_ns=int(iterations[0] * _MS),
                          delegate_applied=requested_delegate,
                          notes=("executor_runner runs no warm-ups; its first execution is taken as the first inference",))
    total = _last(rf"Model executed successfully (\d+) time\(s\) in ({_NUMBER}) ms", text)
    summary = None
    if total and int(total.group(1)) > 0:
        summary = {"count": float(total.group(1)), "mean": float(total.group(2)) * _MS / int(total.group(1))}
    return ToolTiming(summary_ns=summary, load_ns=load_ns, delegate_applied=requested_delegate)


# -- PyTorch speed_benchmark_torch -------------------------------------------------------------------------

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
        samples.append(int(float(record["value"]) * (_MS if unit == "ms" else _US)))
    summary = None
    per_iter = _last(rf"(Milli|Micro)seconds per iter: ({_NUMBER})", text)
    if not samples and per_iter:
        summary = {"mean": float(per_iter.group(2)) * (_MS if per_iter.group(1) == "Milli" else _US)}
    notes = ("this speed_benchmark_torch times whole milliseconds",) if mislabelled and samples else ()
    return ToolTiming(samples_ns=tuple(samples), summary_ns=summary, delegate_applied="none", notes=notes)


PARSERS = {"benchmark_model": parse_benchmark_model, "executor_runner": parse_executor_runner,
           "speed_benchmark_torch": parse_speed_benchmark_torch}
