"""What every runtime's phone tool parser gives back, and the pieces of text they all look for.

Each runtime's `tool.py` reads its own tool's output, across the tool's versions:

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

import re
from dataclasses import dataclass, field

NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
US, MS = 1_000, 1_000_000  # nanoseconds per unit


@dataclass(frozen=True)
class ToolTiming:
    samples_ns: tuple[int, ...] = ()
    summary_ns: dict[str, float] | None = None  # count, mean, std, min, max, median (what the tool printed)
    load_ns: int | None = None
    first_inference_ns: int | None = None
    delegate_applied: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    operator_profile: dict | None = None  # an OperatorProfile as JSON, from tools that print one


def fields(line: str) -> dict[str, float]:
    return {key: float(value) for key, value in re.findall(rf"\b(\w+)=({NUMBER})(?![\w.])", line)}


def last(pattern: str, text: str) -> re.Match | None:
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    return matches[-1] if matches else None
