"""`harness compare BASE NEW`: cells matched by cell_id, latency ratios judged from the repetitions.

A change is marked only when it is both significant (Welch's test on the log repetition medians, 95%)
and at least ``threshold`` in size, as asv does with its factor: on a phone, or a laptop, differences of a
few percent between runs are the machine, not the change."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from harness.errors import IncomparableRunsError
from harness.report.runs import cell_label, one_run
from harness.stats import CONFIDENCE, RatioEstimate, repetition_ratio

FASTER, SLOWER, SAME = "faster", "slower", "no significant change"
UNJUDGED = "not judged: fewer than 2 repetitions"
NOW_FAILING, NOW_OK = "failed in NEW", "failed in BASE, ok in NEW"
ONLY_BASE, ONLY_NEW = "only in BASE", "only in NEW"


@dataclass(frozen=True)
class CellComparison:
    cell_id: str
    label: str
    verdict: str
    base_ms: float | None = None
    new_ms: float | None = None
    estimate: RatioEstimate | None = None

    def regressed_by(self, fraction: float) -> bool:
        if self.verdict == NOW_FAILING:
            return True
        return self.verdict == SLOWER and self.estimate is not None and self.estimate.ratio - 1 >= fraction


@dataclass(frozen=True)
class Comparison:
    base: Path
    new: Path
    cells: tuple[CellComparison, ...]
    threshold: float

    def regressions(self, fraction: float) -> list[CellComparison]:
        return [cell for cell in self.cells if cell.regressed_by(fraction)]


def _device(metadata: dict) -> str:
    """What makes two runs' devices the same: not the alias, which users choose, but what the device said it is."""
    device = metadata.get("device", {})
    return " ".join(str(device[key]) for key in ("platform", "device_model", "serial") if device.get(key)) or "unknown"


def _verdict(estimate: RatioEstimate, threshold: float) -> str:
    if not estimate.judged:
        return UNJUDGED
    significant = estimate.p_value is not None and estimate.p_value < 1 - CONFIDENCE
    if not significant or abs(estimate.ratio - 1) < threshold:
        return SAME
    return SLOWER if estimate.ratio > 1 else FASTER


def _compare_cell(cell_id: str, base, new, threshold: float) -> CellComparison | None:
    if base is None or new is None:
        row = new if base is None else base
        return CellComparison(cell_id, cell_label(row), ONLY_NEW if base is None else ONLY_BASE)
    label, statuses = cell_label(new), (base["status"], new["status"])
    if statuses == ("ok", "ok"):
        estimate = repetition_ratio(list(base["repetition_medians_ms"]), list(new["repetition_medians_ms"]))
        return CellComparison(cell_id, label, _verdict(estimate, threshold), base["latency_p50_ms"],
                              new["latency_p50_ms"], estimate)
    if statuses[0] == "ok":
        return CellComparison(cell_id, label, NOW_FAILING, base_ms=base["latency_p50_ms"])
    if statuses[1] == "ok":
        return CellComparison(cell_id, label, NOW_OK, new_ms=new["latency_p50_ms"])
    return None  # not measured in either run


def _rows_by_cell(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["cell_id"]: row for row in frame.to_dict("records")}


def compare_runs(base: Path, new: Path, *, threshold: float = 0.10, allow_different_devices: bool = False) -> Comparison:
    (base_meta, base_frame), (new_meta, new_frame) = one_run(base), one_run(new)
    if _device(base_meta) != _device(new_meta) and not allow_different_devices:
        raise IncomparableRunsError(f"the runs are from different devices ({_device(base_meta)} and {_device(new_meta)}); "
                           "pass --allow-different-devices to compare them anyway")
    base_rows, new_rows = _rows_by_cell(base_frame), _rows_by_cell(new_frame)
    cells = [_compare_cell(cell_id, base_rows.get(cell_id), new_rows.get(cell_id), threshold)
             for cell_id in sorted(base_rows.keys() | new_rows.keys())]
    ordered = sorted((c for c in cells if c is not None), key=lambda c: c.label)
    return Comparison(Path(base), Path(new), tuple(ordered), threshold)


def _ms(value: float | None) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.4g}"


def _ratio(cell: CellComparison) -> tuple[str, str]:
    estimate = cell.estimate
    if estimate is None:
        return "-", ""
    interval = f"[{estimate.low:.3f}, {estimate.high:.3f}]" if estimate.judged else ""
    return f"{estimate.ratio:.3f}", interval


def comparison_lines(comparison: Comparison) -> list[str]:
    """The table `harness compare` prints: one line per cell, then the counts."""
    width = max([len(c.label) for c in comparison.cells] + [4])
    lines = [f"BASE {comparison.base}", f"NEW  {comparison.new}",
             f"{'cell':<{width}}  {'base ms':>9}  {'new ms':>9}  {'new/base':>8}  {'95% interval':<16}  verdict"]
    for cell in comparison.cells:
        ratio, interval = _ratio(cell)
        lines.append(f"{cell.label:<{width}}  {_ms(cell.base_ms):>9}  {_ms(cell.new_ms):>9}  {ratio:>8}  "
                     f"{interval:<16}  {cell.verdict}")
    counts = Counter(cell.verdict for cell in comparison.cells)
    cells = len(comparison.cells)
    tally = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    lines.append(f"{cells} cell{'' if cells == 1 else 's'}: {tally} (changes under {comparison.threshold:.0%} are not marked)")
    return lines
