"""What a run's rows hold once timings, dates, ids and the machine's own readings are left out.

`python -m tests.golden.rows RESULTS_FOLDER > tests/golden/rows.json` records them.
"""

from __future__ import annotations

import json
import math
import re
import sys

from harness.results.schema import WARNING_SEPARATOR

# Columns that differ from run to run or from machine to machine: measured, dated or identifying.
UNSTABLE_PREFIXES = ("latency_", "rss_", "pss_", "cpu_freq_", "load_avg_", "temperature_", "battery_", "cooldown_",
                     "parity_max_", "repetition_",
                     "runtime_b", "runtime_abi")  # the runtime's size follows the installed wheels and the machine
UNSTABLE = {"run_id", "started_at", "finished_at", "conversion_seconds", "device_model", "iterations",
            "samples_per_repetition", "load_samples_ns", "first_inference_samples_ns", "warmup_samples_ns", "model_load_ms",
            "first_inference_ms", "unstable", "peak_rss_bytes", "other_cpu_busy_fraction", "cpu_governor",
            "cpu_governors", "thermal_status", "screen_on", "peak_gflops_per_s", "achieved_gflops_per_s",
            "percent_of_peak", "operator_list_file", "warnings", "schema_version",
            "model_sha256",  # metadata embedded in the file records when it was converted
            "from_cache"}  # the tests share one cache, so it depends on which test converted first
# Warnings that depend on how busy or hot the machine was.
UNSTABLE_WARNINGS = ("busy:", "unstable:", "mean CPU frequency", "the device was at", "cooldown timed out",
                     "max_seconds", "achieved ")


def _value(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.4g}")
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def stable_rows(frame) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        row = {name: _value(value) for name, value in record.items()
               if name not in UNSTABLE and not name.startswith(UNSTABLE_PREFIXES)}
        if row["format"] == "ptl":  # its debug info holds the harness's source paths, so its size follows the checkout
            row.pop("model_file_bytes")
        if row["error"]:
            row["error"] = re.sub(r"\(log: [^)]*\)", "(log: LOG)", row["error"])  # the cache's own folder
        warnings = record["warnings"].split(WARNING_SEPARATOR) if isinstance(record["warnings"], str) else []
        row["warnings"] = [w for w in warnings if w and not w.startswith(UNSTABLE_WARNINGS)]
        rows.append(row)
    return sorted(rows, key=lambda r: (r["model"], r["runtime"], r["quantization"], r["delegate"], r["threads"]))


if __name__ == "__main__":
    from harness import results

    print(json.dumps(stable_rows(results.load(sys.argv[1])), indent=1, sort_keys=True))
