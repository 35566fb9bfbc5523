"""`harness report`: one self-contained HTML page per run, and the same figures as PNG files.

Plotly's script is inlined once, so the page opens offline; nothing is fetched when it opens."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.io
import plotly.offline

from harness.errors import HarnessError
from harness.files import replace_atomically
from harness.report.figures import MB, Figure, all_figures, measured_cells
from harness.report.operator_figures import where_the_time_goes
from harness.report.runs import cell_label, one_run
from harness.results import load_operators
from harness.results.schema import WARNING_SEPARATOR
from harness.run.warnings import WARNING_GROUPS, warning_group

REPORT_FILE = "report.html"
PNG_FOLDER = "report-figures"
PAGE_STYLE = Path(__file__).with_name("page.css")
SORT_SCRIPT = Path(__file__).with_name("sort.js")

# (column, heading, digits); digits None for text
TABLE_COLUMNS = (
    ("model", "model", None), ("runtime", "runtime", None), ("quantization", "quantization", None),
    ("delegate", "delegate", None), ("threads", "threads", 0), ("latency_p50_ms", "median ms", 4),
    ("latency_p50_ci_low_ms", "95% low", 4), ("latency_p50_ci_high_ms", "95% high", 4),
    ("latency_p90_ms", "p90 ms", 4), ("latency_p99_ms", "p99 ms", 4), ("iterations", "samples", 0),
    ("repetitions_run", "repetitions", 0), ("model_load_ms", "load ms", 3), ("peak_above_baseline_mb", "peak MB", 1),
    ("model_file_mb", "file MB", 3), ("parity_cosine", "parity cosine", 6), ("warning_count", "warnings", 0),
)


def _escape(value) -> str:
    return html.escape(str(value))


def _cell(value, digits: int | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return '<td data-value="">-</td>'
    if digits is None:
        return f'<td data-value="{_escape(value)}">{_escape(value)}</td>'
    return f'<td data-value="{float(value)!r}" class="number">{float(value):,.{digits}f}</td>'


def _warnings(row) -> list[str]:
    text = row.get("warnings")
    return [note for note in text.split(WARNING_SEPARATOR) if note] if isinstance(text, str) else []


def _cells_table(ok: pd.DataFrame) -> str:
    if ok.empty:
        return "<p>No cell was measured.</p>"
    table = ok.assign(
        repetitions_run=[len(m) if hasattr(m, "__len__") else None for m in ok["repetition_medians_ms"]],
        peak_above_baseline_mb=(ok["peak_rss_bytes"] - ok["rss_before_load_bytes"]) / MB,
        model_file_mb=ok["model_file_bytes"] / MB,
        warning_count=[len(_warnings(row)) for row in ok.to_dict("records")])
    head = "".join(f'<th data-column="{i}" title="sort">{_escape(heading)}</th>'
                   for i, (_, heading, _) in enumerate(TABLE_COLUMNS))
    body = "\n".join("<tr>" + "".join(_cell(row[column], digits) for column, _, digits in TABLE_COLUMNS) + "</tr>"
                     for row in table.to_dict("records"))
    return f'<div class="wide"><table id="cells" class="sortable"><thead><tr>{head}</tr></thead><tbody>\n{body}\n' \
           '</tbody></table></div>'


def _not_measured(frame: pd.DataFrame) -> str:
    rows = frame[frame["status"] != "ok"]
    if rows.empty:
        return "<p>Every cell ran.</p>"
    lines = "\n".join(f"<tr><td>{_escape(cell_label(row))}</td><td>{_escape(row['status'])}</td>"
                      f"<td>{_escape(row['stage'] or '')}</td><td>{_escape(row['error'] or '')}</td></tr>"
                      for row in rows.sort_values(["status", "model"]).to_dict("records"))
    return f'<table id="not-measured"><thead><tr><th>cell</th><th>status</th><th>stage</th><th>reason</th></tr></thead>' \
           f"<tbody>\n{lines}\n</tbody></table>"


def _warning_groups(frame: pd.DataFrame) -> str:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in frame[frame["status"] == "ok"].to_dict("records"):
        for note in _warnings(row):
            grouped.setdefault(warning_group(note), []).append((cell_label(row), note))
    if not grouped:
        return "<p>No warnings.</p>"
    order = [group for group, _ in WARNING_GROUPS] + ["other"]
    parts = []
    for group in [g for g in order if g in grouped]:
        items = "".join(f"<li><b>{_escape(cell)}</b>: {_escape(note)}</li>" for cell, note in grouped[group])
        parts.append(f'<h3>{_escape(group)} ({len(grouped[group])})</h3><ul class="warnings">{items}</ul>')
    return "\n".join(parts)


def _facts(metadata: dict, frame: pd.DataFrame) -> str:
    device = metadata.get("device", {})
    counts = ", ".join(f"{n} {status}" for status, n in frame["status"].value_counts().items())
    facts = {"run": metadata.get("run_id"), "status": metadata.get("status"), "started": metadata.get("started_at"),
             "finished": metadata.get("finished_at"), "cells": counts,
             "device": ", ".join(f"{k}={v}" for k, v in device.items() if v is not None and k != "runtime_builds"),
             "runtime builds": ", ".join(f"{b.get('runtime')} {b.get('kind')}-{b.get('key')} ({b.get('abi')})"
                                         for b in device.get("runtime_builds", [])),
             "harness": metadata.get("harness_version"), "git revision": metadata.get("git_revision"),
             "libraries": ", ".join(f"{k} {v}" for k, v in (metadata.get("libraries") or {}).items())}
    rows = "".join(f"<tr><th>{_escape(k)}</th><td>{_escape(v)}</td></tr>" for k, v in facts.items() if v)
    matrix = (metadata.get("matrix") or {}).get("text") or ""
    return f'<table id="facts">{rows}</table><details><summary>matrix</summary><pre>{_escape(matrix)}</pre></details>'


def _figure_section(figure: Figure) -> str:
    heading = f'<h2>{_escape(figure.title)}</h2><p class="caption">{_escape(figure.caption)}</p>'
    if figure.figure is None:
        reason = f"<p><i>Not drawn: {_escape(figure.absent)}.</i></p>"
        return f'<section class="figure absent" id="{figure.key}">{heading}{reason}</section>'
    body = figure.figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{figure.key}",
                                 config={"displaylogo": False, "responsive": True})
    return f'<section class="figure" id="{figure.key}">{heading}{body}</section>'


def render(metadata: dict, frame: pd.DataFrame, figures: list[Figure]) -> str:
    title = f"mobile-bench report: {metadata.get('run_id', '')}"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{_escape(title)}</title>",
        f"<style>{PAGE_STYLE.read_text()}</style>",
        f"<script>{plotly.offline.get_plotlyjs()}</script>", "</head><body>",
        f"<h1>{_escape(title)}</h1>", _facts(metadata, frame),
        "<h2>Cells</h2><p class=\"caption\">Measured cells; click a heading to sort.</p>",
        _cells_table(measured_cells(frame)),
        *(_figure_section(figure) for figure in figures),
        "<h2>Failed and skipped cells</h2>", _not_measured(frame),
        "<h2>Warnings</h2>", _warning_groups(frame),
        f"<script>{SORT_SCRIPT.read_text()}</script>", "</body></html>",
    ])


def write_report(run: Path, *, png: bool = False) -> tuple[Path, list[Path]]:
    """Write ``run``/report.html; with ``png``, also every drawn figure as ``run``/report-figures/KEY.png."""
    metadata, frame = one_run(run)
    target = Path(run) / REPORT_FILE
    figures = all_figures(frame)
    operators = load_operators(run)
    if not operators.empty:  # runs with profile: operators
        figures.append(where_the_time_goes(operators))
    page = render(metadata, frame, figures)
    replace_atomically(target, lambda temporary: Path(temporary).write_text(page, encoding="utf-8"))
    if not png:
        return target, []
    try:
        return target, write_pngs(figures, Path(run) / PNG_FOLDER)
    except HarnessError as error:
        raise HarnessError(f"{target} is written, but {error}") from None


def write_pngs(figures: list[Figure], folder: Path) -> list[Path]:
    """PNG files through kaleido, which drives a Chrome or Chromium already installed (one browser for all)."""
    drawn = [figure for figure in figures if figure.figure is not None]
    paths = [folder / f"{figure.key}.png" for figure in drawn]
    folder.mkdir(exist_ok=True)
    try:
        plotly.io.write_images([f.figure for f in drawn], paths, width=1200,
                               height=[f.figure.layout.height or 600 for f in drawn])
    except Exception as error:  # kaleido's own error types; the usual one is that no browser was found
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise HarnessError(f"--png: kaleido could not draw the figures ({first_line}); it needs Chrome or "
                           "Chromium installed (apt-get install chromium)") from None
    return paths
