"""Operator rows from a profiler's raw times: grouped by operator, summarised by stats.py, with the cell's identity."""

from __future__ import annotations

import pytest

from harness.protocol import OperatorProfile
from harness.results.operators import IDENTITY
from harness.run.operators import operator_rows

CELL = {"run_id": "r", "cell_id": "c", "device": "host", "platform": "host", "model": "m", "runtime": "executorch",
        "format": "pte", "quantization": "fp32", "delegate": "none", "threads": 1, "execution_mode": "process",
        "latency_p50_ms": 9.0}


def _profile(**changes) -> OperatorProfile:
    raw = {"profiler": "test", "inferences": 3, "inference_ns": [10_000_000, 12_000_000, 11_000_000],
           "operators": [
               {"name": "convolution.out", "type": "convolution.out", "ran_on": "portable", "calls": 1,
                "samples_ns": [4_000_000, 5_000_000, 6_000_000]},
               {"name": "relu.out", "type": "relu.out", "ran_on": "portable", "calls": 1,
                "samples_ns": [1_000_000, 1_000_000, 1_000_000]},
               {"name": "convolution.out", "type": "convolution.out", "ran_on": "portable", "calls": 1,
                "samples_ns": [2_000_000, 2_000_000, 2_000_000]},
           ]}
    return OperatorProfile.model_validate({**raw, **changes})


def test_calls_of_one_operator_are_summed_per_inference_then_summarised():
    rows = {row["operator"]: row for row in operator_rows(_profile(), CELL)}
    conv = rows["convolution.out"]
    assert conv["calls"] == 2 and conv["median_ms"] == 7.0 and conv["mean_ms"] == 7.0  # 6, 7, 8 ms per inference
    assert conv["share"] == pytest.approx(7.0 / 11.0) and conv["inference_mean_ms"] == 11.0
    assert rows["relu.out"]["share"] == pytest.approx(1 / 11)
    assert list(rows) == ["convolution.out", "relu.out"]  # in the order they first ran


def test_rows_carry_the_cells_identity_and_no_latency_column():
    row = operator_rows(_profile(), CELL)[0]
    assert {name: row[name] for name in IDENTITY} == {name: CELL[name] for name in IDENTITY}
    assert "latency_p50_ms" not in row and row["profiler"] == "test" and row["profiled_inferences"] == 3


def test_a_summary_only_profile_gives_means_and_no_medians():
    profile = _profile(inference_ns=[], inference_mean_ns=8e6, operators=[
        {"name": "[conv]:0", "type": "CONV_2D", "ran_on": "builtin", "calls": None, "mean_ns": 6e6}])
    row = operator_rows(profile, CELL)[0]
    assert row["median_ms"] is None and row["mean_ms"] == 6.0 and row["share"] == 0.75 and row["calls"] is None
