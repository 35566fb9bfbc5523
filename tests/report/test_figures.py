"""The figures' own arithmetic: the Pareto front, the ECDF's points, the quantization speed-up, warning groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harness.report import figures
from harness.results.schema import COLUMNS
from harness.run.warnings import warning_group


def test_pareto_front_keeps_cells_no_other_beats_on_both_axes():
    sizes = pd.Series([1.0, 2.0, 3.0, 1.5, 3.0])
    latencies = pd.Series([5.0, 3.0, 1.0, 6.0, 0.5])
    assert figures.pareto_front(sizes, latencies).tolist() == [True, True, False, False, True]


def test_ecdf_points_keep_the_extremes_and_are_the_exact_cdf_there():
    samples = np.random.default_rng(0).integers(1_000, 2_000_000, size=10_000)
    ms, fraction = figures._ecdf_points(samples)
    assert len(ms) <= figures.ECDF_POINTS
    assert ms[0] == samples.min() / 1e6 and ms[-1] == samples.max() / 1e6 and fraction[-1] == 1
    for value, share in zip(ms[::50], fraction[::50]):
        assert share == np.mean(samples / 1e6 <= value)  # distinct integers, so no ties


def _row(quantization: str, p50: float, **extra) -> dict:
    return {"status": "ok", "model": "m", "runtime": "litert", "quantization": quantization, "delegate": "xnnpack",
            "threads": 1, "latency_p50_ms": p50, "parity_cosine": 0.99, "parity_flagged": False, **extra}


def _frame(*rows: dict) -> pd.DataFrame:
    """Rows as `harness.results.load` gives them: every column of the schema, the missing ones empty."""
    return pd.DataFrame(list(rows)).reindex(columns=COLUMNS.names)


def test_quantization_speedup_is_over_the_fp32_cell_of_the_same_setting():
    frame = _frame(_row("fp32", 4.0), _row("int8", 1.0), _row("int8", 2.0, threads=2))
    figure = figures.quantization(figures.measured_cells(frame)).figure
    (trace,) = figure.data
    assert list(trace.x) == [4.0]  # the 2-thread int8 cell has no fp32 cell to compare with


def test_a_figure_without_data_says_why():
    drawn = {figure.key: figure for figure in figures.all_figures(_frame(_row("fp32", 4.0)))}
    assert drawn["quantization"].figure is None and "no quantized cell" in drawn["quantization"].absent
    assert drawn["runtime-size"].figure is None and figures.RUNTIME_SIZE_COLUMN in drawn["runtime-size"].absent
    assert drawn["memory"].figure is None and drawn["distribution"].figure is None
    assert drawn["latency"].figure is not None


def test_warnings_fall_into_the_groups_the_report_shows():
    assert warning_group("unstable: repetition medians spread 14.0% after 4 repetitions") == "unstable"
    assert warning_group("busy: other work used 30% of the CPUs during the cell") == "busy machine"
    assert warning_group("mean CPU frequency fell from 2400 to 1800 MHz during the cell (throttled?)") == "throttling"
    assert warning_group("parity: cosine 0.91 below 0.99") == "parity"
    assert warning_group("outside xnnpack: aten.inverse") == "delegation"
    assert warning_group("something new") == "other"


def test_a_run_with_no_measured_cell_draws_nothing_and_says_so():
    frame = _frame({"status": "failed", "model": "m", "runtime": "litert", "quantization": "fp32", "delegate": "none",
                    "threads": 1, "error": "boom"})
    drawn = figures.all_figures(frame)
    assert len(drawn) == len(figures.FIGURES)
    assert all(f.figure is None and f.absent == "no cell was measured" for f in drawn)
