"""The notes a cell's row carries in `warnings`: whatever makes its numbers need a second look."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.config.matrix import Measurement
from harness.convert.jobs import DelegateCheck
from harness.devices.state import throttle_warning
from harness.run.outcome import CellOutcome, iterations
from harness.stats import extension_out_of_reach

if TYPE_CHECKING:
    from harness.run.report import CellReport


def _check_warnings(outcome: CellOutcome, report: CellReport, check: DelegateCheck | None) -> list[str | None]:
    artifact, delegate = outcome.artifact, outcome.planned.cell.delegate
    if artifact is None or outcome.status == "skipped":
        return []
    notes: list[str | None] = [artifact.cache_warning]
    if artifact.checks and check is None:
        notes.append(f"delegation and parity not measured: the host cannot apply {delegate}")
    if check and check.parity and check.parity.error is not None:
        notes.append(f"parity not measured: {check.parity.error}")
    elif report.parity:
        notes.append(report.parity.verdict)
    fallback = check.delegation.fallback_operators if check and check.delegation else ()
    if delegate != "none" and fallback:
        notes.append(f"outside {delegate}: {', '.join(fallback[:8])}{' ...' if len(fallback) > 8 else ''}")
    if artifact.inspection and artifact.inspection.custom_operators:
        notes.extend(artifact.inspection.notes)
    return notes


def _measurement_warnings(outcome: CellOutcome, report: CellReport, measurement: Measurement) -> list[str | None]:
    latency, notes = report.latency, list[str | None]()
    if latency and latency.raw_samples is False:
        notes.append("raw samples unavailable: the tool printed summaries only, so there are no percentiles "
                     "or confidence interval" + ("" if len(outcome.results) == 1 else " and the mean is pooled over runs"))
    short = [n for r in outcome.results if r.ok and 0 < (n := iterations(r)) < measurement.min_iterations]
    if short:
        notes.append(f"max_seconds ({measurement.max_seconds:g}) stopped {len(short)} repetition(s) before "
                     f"min_iterations ({measurement.min_iterations}): {', '.join(map(str, short))} sample(s)")
    efficiency = report.efficiency
    if efficiency.achieved_gflops_per_s and efficiency.peak_gflops_per_s and \
            efficiency.achieved_gflops_per_s > efficiency.peak_gflops_per_s:
        notes.append(f"achieved {efficiency.achieved_gflops_per_s:.1f} GFLOP/s, above the measured fp32 peak "
                     f"({efficiency.peak_gflops_per_s:.1f}): percent_of_peak left empty")
    if latency and latency.unstable:
        done = len(outcome.results)
        stopped = extension_out_of_reach(outcome.repetition_medians_ms(), done, measurement.max_repetitions,
                                         measurement.max_relative_error)
        notes.append(f"unstable: the repetition medians' standard error is {latency.repetition_relative_error:.1%} "
                     f"after {done} repetitions (max_relative_error {measurement.max_relative_error:.1%})"
                     + (f"; stopped there, as even {measurement.max_repetitions} would not bring it under"
                        if stopped else ""))
    return notes


def _condition_warnings(outcome: CellOutcome, report: CellReport, measurement: Measurement) -> list[str | None]:
    conditions, notes = report.conditions, list[str | None]()
    busy = conditions.other_cpu_busy_fraction
    if busy is not None and busy > measurement.busy_warning:
        notes.append(f"busy: other work used {busy:.0%} of the CPUs during the cell")
    for state in (outcome.state_before, outcome.state_after):
        notes.extend(note for note in (state.refused if state else ()) if note not in notes)
    if outcome.state_before and outcome.state_after:
        notes.append(throttle_warning(outcome.state_before, outcome.state_after, measurement.cooldown.max_temperature_c))
    if conditions.cooldown_timed_out:
        notes.append(f"cooldown timed out after {conditions.cooldown_wait_s:.0f}s, ran anyway")
    return notes


def cell_warnings(outcome: CellOutcome, report: CellReport, check: DelegateCheck | None,
                  measurement: Measurement) -> tuple[str, ...]:
    notes = [*_check_warnings(outcome, report, check), *outcome.device_notes,
             *_measurement_warnings(outcome, report, measurement), *_condition_warnings(outcome, report, measurement)]
    return tuple(note for note in notes if note)


# How the report groups the notes above, by how each begins; the rest are "other".
WARNING_GROUPS = (
    ("unstable", ("unstable:", "max_seconds")),
    ("busy machine", ("busy:", "cooldown timed out")),
    ("throttling", ("mean CPU frequency", "the device was at")),
    ("parity", ("parity",)),
    ("delegation", ("outside ", "delegation and parity not measured")),
    ("refused reading", ("refused a reading",)),
)


def warning_group(note: str) -> str:
    return next((group for group, starts in WARNING_GROUPS if note.startswith(starts)), "other")
