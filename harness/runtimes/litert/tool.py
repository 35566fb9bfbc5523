"""TFLite's `benchmark_model` on a phone: its flags, and its summary-only output."""

from __future__ import annotations

import re

from harness.protocol import Request
from harness.runtimes.base import PhoneTool
from harness.runtimes.litert.tool_profile import is_profile_summary, parse_operator_profile
from harness.runtimes.tool_output import NUMBER, US, ToolTiming, fields, last

_DELEGATE_FLAGS = {"xnnpack": ["--use_xnnpack=true"], "none": ["--use_xnnpack=false"],
                   "gpu": ["--use_xnnpack=false", "--use_gpu=true"],
                   "nnapi": ["--use_xnnpack=false", "--use_nnapi=true"]}


def arguments(request: Request, model: str, folder: str) -> list[str]:
    """It feeds its own random inputs: it has no flag for input files that needs no tensor names."""
    return [f"--graph={model}", f"--num_threads={request.threads}", f"--warmup_runs={request.measurement.warmup_runs}",
            f"--num_runs={request.measurement.min_iterations}", f"--min_secs={request.measurement.min_seconds:g}",
            f"--max_secs={request.measurement.max_seconds:g}", *_DELEGATE_FLAGS[request.delegate],
            *(["--enable_op_profiling=true"] if request.profile == "operators" else [])]


def _tflite_delegate(text: str, requested: str) -> str | None:
    if re.search(r"XNNPACK delegate", text, re.IGNORECASE):
        return "xnnpack"
    if re.search(r"GPU delegate|delegate for GPU", text, re.IGNORECASE):
        return "gpu"
    if re.search(r"NNAPI delegate", text, re.IGNORECASE):
        return "nnapi"
    return "none" if requested == "none" else None


def _tflite_memory(text: str) -> int | None:
    periodic = last(rf"peak memory footprint \(MB\) via periodic monitoring:\s*({NUMBER})", text)
    if periodic:
        return int(float(periodic.group(1)) * 1024 * 1024)
    legacy = last(rf"Peak memory footprint \(MB\):.*overall=({NUMBER})", text)
    return int(float(legacy.group(1)) * 1024 * 1024) if legacy else None


def parse_benchmark_model(text: str, requested_delegate: str) -> ToolTiming:
    runs = [fields(line) for line in text.splitlines() if re.search(r"\bcount=\d", line) and not is_profile_summary(line)]
    main = runs[-1] if runs else {}
    timings = last(rf"Inference timings in us: Init: ({NUMBER}), First inference: ({NUMBER})", text)
    summary = None
    if "avg" in main:
        summary = {"count": main["count"], "mean": main["avg"] * US}
        for key, name in (("std", "std"), ("min", "min"), ("max", "max"), ("median", "median")):
            if key in main:
                summary[name] = main[key] * US
    peak = _tflite_memory(text)
    applied = _tflite_delegate(text, requested_delegate)
    profile = parse_operator_profile(text, applied)
    if profile and summary:
        profile.update(inferences=int(summary["count"]), inference_mean_ns=summary["mean"])
    return ToolTiming(
        summary_ns=summary,
        load_ns=int(float(timings.group(1)) * US) if timings else None,
        first_inference_ns=int(float(timings.group(2)) * US) if timings else None,
        delegate_applied=applied, operator_profile=profile,
        notes=(f"benchmark_model's own peak-memory estimate: {peak / 2**20:.1f} MB (its definition, not VmHWM)",)
        if peak else ())


# fetchable: `harness fetch-tool` downloads Google's prebuilt one.
TOOL = PhoneTool("benchmark_model", fetchable=True, arguments=arguments, parse=parse_benchmark_model,
                 profiles_operators=True)
