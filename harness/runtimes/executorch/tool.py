"""ExecuTorch's `executor_runner` on a phone: its flags, and its per-iteration or total-only output."""

from __future__ import annotations

import re

from harness.protocol import Request
from harness.runtimes.base import PhoneTool
from harness.runtimes.tool_output import MS, NUMBER, ToolTiming, last


def arguments(request: Request, model: str, folder: str) -> list[str]:
    inputs = ",".join(f"{folder}/{i.path}" for i in request.inputs)
    # One extra execution: executor_runner has no warm-up flag, and its first execution is the first inference.
    return [f"--model_path={model}", f"--num_executions={request.measurement.min_iterations + 1}",
            f"--cpu_threads={request.threads}", f"--inputs={inputs}"]


def parse_executor_runner(text: str, requested_delegate: str) -> ToolTiming:
    iterations = [float(m.group(1)) for m in re.finditer(rf"Iteration \d+ of \d+: ({NUMBER}) ms", text)]
    loaded = last(rf"Model loaded in ({NUMBER}) ms", text)
    load_ns = int(float(loaded.group(1)) * MS) if loaded else None
    if iterations:
        # executor_runner runs no warm-ups: the first execution is the first inference, the rest are samples.
        samples = tuple(int(ms * MS) for ms in iterations[1:])
        return ToolTiming(samples_ns=samples, load_ns=load_ns, first_inference_ns=int(iterations[0] * MS),
                          delegate_applied=requested_delegate,
                          notes=("executor_runner runs no warm-ups; its first execution is taken as the first inference",))
    total = last(rf"Model executed successfully (\d+) time\(s\) in ({NUMBER}) ms", text)
    summary = None
    if total and int(total.group(1)) > 0:
        summary = {"count": float(total.group(1)), "mean": float(total.group(2)) * MS / int(total.group(1))}
    return ToolTiming(summary_ns=summary, load_ns=load_ns, delegate_applied=requested_delegate)


TOOL = PhoneTool("executor_runner", fetchable=False, arguments=arguments, parse=parse_executor_runner)
