"""The report's figures, one function each, drawn with Plotly from a run's rows.

Each returns a Figure: the Plotly figure, or the reason the run has nothing to draw for it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px

from harness.report.runs import cell_label

MB = 1024 * 1024
ECDF_POINTS = 400  # per cell: every sample of a long cell would make the page tens of megabytes
RUNTIME_SIZE_COLUMN = "runtime_binary_bytes"


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    caption: str
    figure: Any = None  # a plotly Figure, or None with `absent` saying why
    absent: str = ""


def measured_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The ok cells with a median, labelled, ordered by model then label."""
    ok = frame[(frame["status"] == "ok") & frame["latency_p50_ms"].notna()].copy()
    ok["cell"] = [cell_label(row) for row in ok.to_dict("records")]
    return ok.sort_values(["model", "cell"], ignore_index=True)


def _height(rows: int) -> int:
    return 160 + 24 * max(rows, 4)


def latency(ok: pd.DataFrame) -> Figure:
    title = "Median latency per cell"
    caption = ("Median over all repetitions; whiskers are the 95% interval of the median. Logarithmic axis, since "
               "models differ by orders of magnitude.")
    if ok.empty:
        return Figure("latency", title, caption, absent="no cell was measured")
    plus = (ok["latency_p50_ci_high_ms"] - ok["latency_p50_ms"]).clip(lower=0)
    minus = (ok["latency_p50_ms"] - ok["latency_p50_ci_low_ms"]).clip(lower=0)
    figure = px.scatter(ok.assign(plus=plus, minus=minus), x="latency_p50_ms", y="cell", color="runtime",
                        symbol="delegate", error_x="plus", error_x_minus="minus", log_x=True,
                        hover_data=["latency_p50_ci_low_ms", "latency_p50_ci_high_ms", "iterations"],
                        labels={"latency_p50_ms": "median latency (ms)", "cell": ""}, height=_height(len(ok)))
    figure.update_yaxes(categoryorder="array", categoryarray=list(ok["cell"])[::-1])
    return Figure("latency", title, caption, figure)


def _ecdf_points(samples_ns) -> tuple[np.ndarray, np.ndarray]:
    """The empirical CDF at up to ECDF_POINTS ranks, always keeping the fastest and slowest sample."""
    values = np.sort(np.asarray(samples_ns, dtype=np.float64)) / 1e6
    ranks = np.unique(np.linspace(0, values.size - 1, min(values.size, ECDF_POINTS)).round().astype(int))
    return values[ranks], (ranks + 1) / values.size


def distribution(ok: pd.DataFrame) -> Figure:
    title = "Distribution of raw samples"
    caption = ("Empirical CDF of every cell's per-iteration latencies, all repetitions pooled; long right tails "
               f"are warm-up or interference, steps are bimodality. Drawn at up to {ECDF_POINTS} ranks per cell, "
               "always including the fastest and slowest sample.")
    parts = []
    for row in ok.to_dict("records"):
        samples = row["latency_samples_ns"]
        if not hasattr(samples, "__len__") or len(samples) == 0:  # null lists load as None (or NaN)
            continue
        ms, fraction = _ecdf_points(samples)
        parts.append(pd.DataFrame({"model": row["model"], "cell": row["cell"], "ms": ms, "fraction": fraction}))
    if not parts:
        return Figure("distribution", title, caption, absent="no cell has raw samples (tools that print summaries only)")
    long = pd.concat(parts, ignore_index=True)
    models = long["model"].nunique()
    figure = px.line(long, x="ms", y="fraction", color="cell", facet_col="model", facet_col_wrap=2, log_x=True,
                     line_shape="hv", render_mode="svg", labels={"ms": "latency (ms)", "fraction": "fraction of samples"},
                     height=380 * ((models + 1) // 2), facet_col_spacing=0.06, facet_row_spacing=0.12)
    figure.update_xaxes(matches=None, showticklabels=True)
    return Figure("distribution", title, caption, figure)


def pareto_front(sizes: pd.Series, latencies: pd.Series) -> pd.Series:
    """True for the cells that no other cell beats on both size and latency (both smaller is better)."""
    order = np.lexsort((latencies.to_numpy(), sizes.to_numpy()))
    best, front = np.inf, np.zeros(len(sizes), dtype=bool)
    for position in order:
        if latencies.iloc[position] < best:
            best, front[position] = latencies.iloc[position], True
    return pd.Series(front, index=sizes.index)


def _size_figure(ok: pd.DataFrame, column: str, key: str, title: str, caption: str, axis: str) -> Figure:
    sized = ok[ok[column].notna()] if column in ok else ok.iloc[0:0]
    if sized.empty:
        return Figure(key, title, caption, absent=f"this run has no {column} column values")
    sized = sized.assign(megabytes=sized[column] / MB)
    sized["pareto"] = pd.concat([pareto_front(group["megabytes"], group["latency_p50_ms"])
                                 for _, group in sized.groupby("model")])
    models = {"model": sorted(sized["model"].unique())}
    facets = {"facet_col": "model", "facet_col_wrap": 2, "category_orders": models}
    figure = px.scatter(sized, x="megabytes", y="latency_p50_ms", color="runtime", symbol="quantization",
                        hover_name="cell", log_y=True, labels={"megabytes": axis, "latency_p50_ms": "median latency (ms)"},
                        height=380 * ((len(models["model"]) + 1) // 2), **facets)
    front = px.line(sized[sized["pareto"]].sort_values("megabytes"), x="megabytes", y="latency_p50_ms", **facets)
    # The same facets in the same order, so each front trace lands on its own model's axes.
    figure.add_traces(front.update_traces(line={"dash": "dot", "color": "gray"}, name="Pareto front",
                                          showlegend=False).data)
    figure.update_xaxes(matches=None, showticklabels=True)
    figure.update_yaxes(matches=None, showticklabels=True)
    return Figure(key, title, caption, figure)


def model_size(ok: pd.DataFrame) -> Figure:
    return _size_figure(ok, "model_file_bytes", "model-size", "Latency against model file size",
                        "Each point is a cell; the dotted line joins the cells no other cell of the same model beats on "
                        "both size and latency (the Pareto front).", "model file (MB)")


def runtime_size(ok: pd.DataFrame) -> Figure:
    return _size_figure(ok, RUNTIME_SIZE_COLUMN, "runtime-size", "Latency against runtime binary size",
                        "The bytes of runtime each cell needs in an app, against its latency; the dotted line is the "
                        "Pareto front.", "runtime binary (MB)")


def quantization(ok: pd.DataFrame) -> Figure:
    title = "What quantization buys"
    caption = ("Speed-up of each quantized cell over the fp32 cell with the same model, runtime, delegate and "
               "threads, against its parity with the source model (cosine of the outputs). Crosses are cells "
               "whose parity is flagged.")
    keys = ["model", "runtime", "delegate", "threads"]
    fp32 = ok[ok["quantization"] == "fp32"].set_index(keys)["latency_p50_ms"]
    quantized = ok[ok["quantization"] != "fp32"].copy()
    quantized["speedup"] = [fp32.get(tuple(row[k] for k in keys), np.nan) / row["latency_p50_ms"]
                            for row in quantized.to_dict("records")]
    quantized = quantized[quantized["speedup"].notna()]
    if quantized.empty:
        return Figure("quantization", title, caption, absent="no quantized cell has an fp32 cell to compare with")
    quantized["parity"] = quantized["parity_flagged"].map({True: "flagged", False: "ok"}).fillna("not measured")
    figure = px.scatter(quantized, x="speedup", y="parity_cosine", color="runtime", symbol="parity",
                        symbol_map={"flagged": "x", "ok": "circle", "not measured": "circle-open"},
                        hover_name="cell", hover_data=["quantization"],
                        labels={"speedup": "speed-up over fp32 (x)", "parity_cosine": "parity cosine"})
    figure.add_vline(x=1, line_dash="dot", line_color="gray")
    return Figure("quantization", title, caption, figure)


def memory(ok: pd.DataFrame) -> Figure:
    title = "Memory above the process's baseline"
    caption = ("Resident memory the model's load added, and the peak during the cell, both above the resident "
               "size before loading (rss_after_load_bytes and peak_rss_bytes, minus rss_before_load_bytes).")
    base = ok["rss_before_load_bytes"]
    long = pd.concat([
        pd.DataFrame({"cell": ok["cell"], "runtime": ok["runtime"], "measure": "load",
                      "megabytes": (ok["rss_after_load_bytes"] - base) / MB}),
        pd.DataFrame({"cell": ok["cell"], "runtime": ok["runtime"], "measure": "peak",
                      "megabytes": (ok["peak_rss_bytes"] - base) / MB}),
    ]).dropna()
    if long.empty:
        return Figure("memory", title, caption, absent="no cell recorded its resident memory")
    figure = px.bar(long, y="cell", x="megabytes", color="measure", barmode="group", orientation="h",
                    hover_data=["runtime"], labels={"megabytes": "MB above baseline", "cell": ""},
                    height=_height(2 * long["cell"].nunique()))
    figure.update_yaxes(categoryorder="array", categoryarray=list(ok["cell"])[::-1])
    return Figure("memory", title, caption, figure)


def efficiency(ok: pd.DataFrame) -> Figure:
    title = "Efficiency: percent of the device's measured peak"
    caption = ("Achieved GFLOP/s over the peak the harness measured with an fp32 matrix product at the same "
               "thread count. 8-bit cells are compared with that fp32 peak too, so they can pass 100%.")
    rated = ok[ok["percent_of_peak"].notna()]
    if rated.empty:
        return Figure("efficiency", title, caption, absent="no cell has a FLOP count and a measured peak")
    figure = px.bar(rated, y="cell", x="percent_of_peak", color="runtime", orientation="h",
                    hover_data=["achieved_gflops_per_s", "peak_gflops_per_s"],
                    labels={"percent_of_peak": "% of measured fp32 peak", "cell": ""}, height=_height(len(rated)))
    figure.update_yaxes(categoryorder="array", categoryarray=list(rated["cell"])[::-1])
    return Figure("efficiency", title, caption, figure)


FIGURES = (latency, distribution, model_size, runtime_size, quantization, memory, efficiency)


def all_figures(frame: pd.DataFrame) -> list[Figure]:
    ok = measured_cells(frame)
    figures = [draw(ok) for draw in FIGURES]
    return [replace(f, absent="no cell was measured") for f in figures] if ok.empty else figures
