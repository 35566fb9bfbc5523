"""The operator profile `benchmark_model --enable_op_profiling=true` prints, read across its versions.

After "Operator-wise Profiling Info for Regular Benchmark Runs:" the tool prints tables from TensorFlow's
stats summarizer. The "Run Order" table has one row per node: its columns are named in a header line of
bracketed names (`[node type] [start] [first] [avg ms] [%] [cdf%] [mem KB] [times called] [Name]`; older
builds have no `[times called]`, newer ones no `[start]`), separated by tabs or padded with spaces, lines
sometimes prefixed `INFO:` or logcat-style. `[avg ms]` is per inference and `[times called]` per inference.
Rows named `Delegate/...` are a delegate's own operators; a node whose type names a delegate
(`TfLiteXNNPackDelegate`) is a whole delegated partition. "Delegate internal:" tables are left out: their
time is inside the delegate's node already.
"""

from __future__ import annotations

import re

from harness.runtimes.tool_output import MS, NUMBER

SECTION = "Operator-wise Profiling Info for Regular Benchmark Runs"
_PREFIX = re.compile(r"^(?:\S+\s+\S+\s+\d+\s+\d+\s+[VDIWEF]\s+[^:]*:\s*|INFO:\s*)")  # logcat or INFO:
_DELEGATES = {"xnnpack": "xnnpack", "gpu": "gpu", "nnapi": "nnapi", "hexagon": "hexagon", "coreml": "coreml"}


def _lines(text: str) -> list[str]:
    return [_PREFIX.sub("", line).rstrip() for line in text.splitlines()]


def _run_order(lines: list[str]) -> tuple[list[str], list[str]]:
    """The column names and the row lines of the first Run Order table after the section's title."""
    start = next((i for i, line in enumerate(lines) if SECTION in line), None)
    if start is None:
        return [], []
    header = next((i for i in range(start, len(lines)) if "[node type]" in lines[i]), None)
    if header is None:
        return [], []
    columns = re.findall(r"\[([^\]]+)\]", lines[header])
    rows = []
    for line in lines[header + 1:]:
        if not line.strip() or line.lstrip().startswith("="):
            break
        rows.append(line)
    return columns, rows


def _ran_on(node_type: str, name: str, delegate: str | None) -> str:
    lowered = node_type.lower()
    if "delegate" in lowered:
        return next((place for key, place in _DELEGATES.items() if key in lowered), lowered)
    if name.startswith("Delegate/"):
        return delegate or "delegate"
    return "builtin"


def parse_operator_profile(text: str, delegate: str | None) -> dict | None:
    """An OperatorProfile as JSON (means only, as the tool prints them), or None where the text has none."""
    columns, rows = _run_order(_lines(text))
    if not columns or columns[0] != "node type" or columns[-1] != "Name" or "avg ms" not in columns:
        return None
    numeric = columns[1:-1]
    row_pattern = re.compile(rf"^\s*(?P<type>.+?)\s+(?P<numbers>(?:{NUMBER}%?\s+){{{len(numeric)}}})(?P<name>.*)$")
    operators = []
    for line in rows:
        match = row_pattern.match(line)
        if match is None:
            continue
        values = dict(zip(numeric, (float(v.rstrip("%")) for v in match["numbers"].split()), strict=True))
        node_type, name = match["type"].strip(), match["name"].strip()
        calls = values.get("times called")
        operators.append({"name": name, "type": node_type, "ran_on": _ran_on(node_type, name, delegate),
                          "calls": int(calls) if calls is not None else None, "mean_ns": values["avg ms"] * MS})
    if not operators:
        return None
    return {"profiler": "benchmark_model --enable_op_profiling", "inferences": 0, "operators": operators}



def is_profile_summary(line: str) -> bool:
    """The profile's own summary lines, whose `count=` is not the benchmark's run count."""
    return bool(re.search(r"Timings \(microseconds\):|Memory \(bytes\):", line))
