"""Golden tests: every known variant of the command-line tools' output parses to the same meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.runtimes.executorch.tool import parse_executor_runner
from harness.runtimes.litert.tool import parse_benchmark_model
from harness.runtimes.torchscript.tool import parse_speed_benchmark_torch

GOLDEN = Path(__file__).parent / "tool_output"  # what each tool printed, one file per known variant


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


@pytest.mark.parametrize("name, delegate, mean_us, first_us, load_us, applied, median_us, peak_mb", [
    ("benchmark_model_old.txt", "none", 240500, 350100, 16240, "none", None, 31.8398),
    ("benchmark_model_info_exponent.txt", "xnnpack", 2.80125e6, 3400000, 17100, "xnnpack", None, 48.5),
    ("benchmark_model_percentiles_logcat.txt", "gpu", 60250.5, 80100, 110000, "gpu", 50500, None),
])
def test_benchmark_model_variants(name, delegate, mean_us, first_us, load_us, applied, median_us, peak_mb):
    parsed = parse_benchmark_model(golden(name), delegate)
    assert parsed.samples_ns == ()  # summaries only: nothing invented
    assert parsed.summary_ns["mean"] == pytest.approx(mean_us * 1000)
    assert parsed.summary_ns["count"] in (50, 1000)  # the main run's line, not the warm-up's
    assert parsed.first_inference_ns == first_us * 1000 and parsed.load_ns == load_us * 1000
    assert parsed.delegate_applied == applied
    assert parsed.summary_ns.get("median") == (median_us * 1000 if median_us else None)
    if peak_mb:  # the tool's own estimate is a note, not a memory column: its definition is not VmHWM
        assert f"estimate: {peak_mb:.1f} MB" in parsed.notes[0]
    else:
        assert parsed.notes == ()


def test_benchmark_model_fields_in_any_order_agree():
    lines = golden("benchmark_model_percentiles_logcat.txt").splitlines()
    parsed = parse_benchmark_model("\n".join(lines), "gpu").summary_ns
    assert parsed == {"count": 1000, "mean": 60250.5e3, "std": 40100e3, "min": 48000e3, "max": 650000e3,
                      "median": 50500e3}


def test_benchmark_model_xnnpack_requested_but_not_reported_is_unknown():
    assert parse_benchmark_model(golden("benchmark_model_old.txt"), "xnnpack").delegate_applied is None


def test_executor_runner_per_iteration_lines_become_samples():
    parsed = parse_executor_runner(golden("executor_runner_iterations.txt"), "xnnpack")
    assert parsed.first_inference_ns == 12_100_000
    assert parsed.samples_ns == (9_000_000, 9_500_000, 8_750_000)
    assert parsed.load_ns == 15_331_000 and parsed.summary_ns is None


def test_executor_runner_total_only_is_a_mean_without_samples():
    parsed = parse_executor_runner(golden("executor_runner_total_only.txt"), "xnnpack")
    assert parsed.samples_ns == () and parsed.summary_ns == {"count": 10, "mean": pytest.approx(12_340_000)}


def test_speed_benchmark_torch_pep_lines_are_samples_in_microseconds():
    parsed = parse_speed_benchmark_torch(golden("speed_benchmark_torch_pep.txt"), "none")
    assert parsed.samples_ns == (1_520_000, 1_480_000, 1_500_000) and parsed.summary_ns is None


def test_speed_benchmark_torch_builds_that_time_milliseconds_are_read_as_milliseconds():
    parsed = parse_speed_benchmark_torch(golden("speed_benchmark_torch_mislabelled_ms.txt"), "none")
    assert parsed.samples_ns == (15_000_000, 14_000_000)
    assert "whole milliseconds" in parsed.notes[0]


def test_speed_benchmark_torch_without_pep_gives_the_mean_only():
    parsed = parse_speed_benchmark_torch(golden("speed_benchmark_torch_no_pep.txt"), "none")
    assert parsed.samples_ns == () and parsed.summary_ns == {"mean": pytest.approx(2_051_500)}


@pytest.mark.parametrize("name, delegate, operators, calls, places", [
    # tab-separated, with [start] and [times called], after the initialization's own profile
    ("benchmark_model_op_profile_tabs.txt", "none", 5, [1, 1, 2, 1, 1], {"builtin"}),
    # INFO:-prefixed, aligned with spaces, no [start]: XNNPACK's own operators, named Delegate/...
    ("benchmark_model_op_profile_info_xnnpack.txt", "xnnpack", 5, [1, 1, 2, 1, 1], {"xnnpack"}),
    # older: no [times called]; the delegated partition is one node
    ("benchmark_model_op_profile_old.txt", "xnnpack", 2, [None, None], {"xnnpack", "builtin"}),
])
def test_benchmark_model_operator_profile_variants(name, delegate, operators, calls, places):
    parsed = parse_benchmark_model(golden(name), delegate)
    profile = parsed.operator_profile
    assert len(profile["operators"]) == operators and [o["calls"] for o in profile["operators"]] == calls
    assert {o["ran_on"] for o in profile["operators"]} == places
    assert all(o["mean_ns"] > 0 and "samples_ns" not in o for o in profile["operators"])  # means only
    # The benchmark's own run, not the profile's `Timings (microseconds): count=` line
    assert profile["inferences"] == parsed.summary_ns["count"] and profile["inference_mean_ns"] == parsed.summary_ns["mean"]


def test_benchmark_model_operator_profile_reads_names_types_and_times():
    operators = parse_benchmark_model(golden("benchmark_model_op_profile_info_xnnpack.txt"), "xnnpack").operator_profile[
        "operators"]
    gemm = operators[2]
    assert gemm["type"] == "Convolution (NHWC, F32) GEMM" and gemm["name"] == "Delegate/Convolution (NHWC, F32) GEMM:2"
    assert gemm["mean_ns"] == pytest.approx(5.96e6)
    old = parse_benchmark_model(golden("benchmark_model_op_profile_old.txt"), "xnnpack").operator_profile["operators"]
    assert old[0]["type"] == "TfLiteXNNPackDelegate" and old[0]["name"] == "[conv_stem, block1/project, pool]:5"


def test_benchmark_model_without_op_profiling_has_no_operator_profile():
    assert parse_benchmark_model(golden("benchmark_model_old.txt"), "none").operator_profile is None
