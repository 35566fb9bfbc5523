"""Where the time goes: each profiled cell's operator shares, from its operator rows (docs/profiles.md)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px

from harness.report.figures import Figure
from harness.report.runs import cell_label

_PALETTE = px.colors.qualitative.Alphabet + px.colors.qualitative.Dark24  # 50 colours before any repeats
TOP_OPERATORS = 8  # per cell; the rest are drawn as one "other operators" segment
OTHER = "other operators"
UNCOVERED = "between operators (runtime, profiler)"


def _cell_shares(rows: pd.DataFrame) -> pd.DataFrame:
    """One cell's shares by operator type and place: the largest, the rest together, and what no operator covers."""
    by_type = rows.assign(part=rows["operator_type"] + " (" + rows["ran_on"] + ")").groupby("part")["share"].sum()
    by_type = by_type.sort_values(ascending=False)
    parts = by_type.head(TOP_OPERATORS)
    rest = by_type.iloc[TOP_OPERATORS:].sum()
    if rest > 0:
        parts[OTHER] = rest
    uncovered = 1.0 - by_type.sum()
    if uncovered > 0:
        parts[UNCOVERED] = uncovered
    return parts.rename("share").rename_axis("part").reset_index()


def where_the_time_goes(operators: pd.DataFrame) -> Figure:
    title = "Where the time goes"
    caption = (f"Each profiled cell's inference split by operator type and where it ran, as shares of the mean "
               f"profiled inference; the {TOP_OPERATORS} largest per cell, the rest as '{OTHER}'. From the runtime's own "
               "profiler in a separate process: the profiled inference includes the profiler's overhead, and no "
               "latency column comes from it.")
    shares = operators[operators["share"].notna()]
    if shares.empty:
        return Figure("operators", title, caption, absent="no cell was profiled (profile: operators in the matrix)")
    frames = [_cell_shares(rows).assign(cell=cell_label(rows.iloc[0]))
              for _, rows in shares.groupby("cell_id", sort=False)]
    data = pd.concat(frames, ignore_index=True).sort_values("cell", kind="stable")
    parts = data["part"].nunique()
    figure = px.bar(data, x="share", y="cell", color="part", orientation="h",
                    height=max(160 + 40 * data["cell"].nunique(), 120 + 22 * parts),
                    color_discrete_sequence=_PALETTE, color_discrete_map={UNCOVERED: "#d0d0d0", OTHER: "#909090"},
                    labels={"share": "share of the profiled inference", "cell": "", "part": "operator"})
    figure.update_layout(barmode="stack", xaxis_tickformat=".0%")
    return Figure("operators", title, caption, figure)
