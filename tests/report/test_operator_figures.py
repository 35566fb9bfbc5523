"""The "where the time goes" figure, from operator rows."""

from __future__ import annotations

import pandas as pd
import pytest

from harness.report.operator_figures import OTHER, TOP_OPERATORS, UNCOVERED, where_the_time_goes


def _rows(shares: list[float], cell: str = "c1", delegate: str = "xnnpack") -> pd.DataFrame:
    return pd.DataFrame([{"cell_id": cell, "model": "m", "runtime": "executorch", "quantization": "fp32",
                          "delegate": delegate, "threads": 1, "operator_type": f"op{i}", "ran_on": "xnnpack",
                          "share": share} for i, share in enumerate(shares)])


def test_each_cell_is_its_largest_operators_the_rest_and_what_no_operator_covers():
    shares = [0.3, 0.2] + [0.04] * TOP_OPERATORS  # ten types: the two smallest become "other operators"
    figure = where_the_time_goes(pd.concat([_rows(shares), _rows([0.5, 0.5], cell="c2", delegate="none")])).figure
    drawn = {trace.name: dict(zip(trace.y, trace.x, strict=True)) for trace in figure.data}
    first, second = "m/executorch/fp32/xnnpack/1t", "m/executorch/fp32/none/1t"
    assert drawn[OTHER] == {first: pytest.approx(0.08)}
    assert drawn[UNCOVERED] == {first: pytest.approx(1 - sum(shares))}  # c2's operators cover all of it
    assert drawn["op0 (xnnpack)"] == {first: 0.3, second: 0.5}


def test_a_run_without_profiles_draws_nothing_and_says_why():
    figure = where_the_time_goes(_rows([]).reindex(columns=["cell_id", "share", "operator_type", "ran_on"]))
    assert figure.figure is None and "profile: operators" in figure.absent
