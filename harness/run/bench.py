"""Run a matrix on a device: plan, convert, run each cell in fresh shell processes, write one row per cell.

Library code: reports progress through a callback and never prints. Every cell ends as a row
(ok, failed or skipped); a failure in one cell never stops the run.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from harness.compatibility import incompatibility
from harness.config.matrix import Matrix, Measurement
from harness.convert.cache import Artifact, ArtifactCache, ConversionFailure
from harness.devices.base import Device
from harness.errors import HarnessError, SizeError
from harness.names import check_safe_name
from harness.plan import PlannedCell, plan
from harness.plan_checks import check_some_cell_runs
from harness.provenance import run_provenance
from harness.results.store import RunStore
from harness.run.cells import CellRunner, run_cells
from harness.run.conversions import Converted, convert_all
from harness.run.cooldown import wait_for_cooldown
from harness.run.operators import operator_rows
from harness.run.outcome import CellOutcome, now
from harness.run.progress import PhaseClock, Progress
from harness.run.report import build_report
from harness.run.resume import open_for_resume
from harness.run.timeline import TIMELINE_FILE, Timeline
from harness.runtime_size import RuntimeBinary
from harness.runtimes.inspection import write_matrix_operator_lists

OPERATOR_LISTS_FOLDER = "operator_lists"  # in the run folder: what size-optimized runtime builds take


@dataclass(frozen=True)
class RunSummary:
    run_dir: Path
    counts: dict[str, int]


def new_run_id(matrix: Matrix, device: Device) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{matrix.name}-{device.name}-{secrets.token_hex(2)}"


def _write_operator_lists(artifacts: Converted, folder: Path) -> None:
    lists: dict[str, list[Path]] = {}
    for artifact in artifacts.values():
        if isinstance(artifact, Artifact) and artifact.operator_list is not None:
            lists.setdefault(artifact.format, []).append(artifact.operator_list)
    write_matrix_operator_lists(lists, folder)


def _incompatibility(artifact: Artifact, device: Device) -> str | None:
    if artifact.inspection is None:
        return None
    return incompatibility(artifact.inspection, device.runtime_limits, device.name)


def _measure_peaks(device: Device, thread_counts: list[int], measurement: Measurement,
                   report: Callable[[Progress], None], timeline: Timeline) -> dict[int, float | None]:
    """The peak per thread count, measured as a cell is: on the cells' CPUs, once the device has cooled."""
    peaks: dict[int, float | None] = {}
    clock = PhaseClock("peak", len(thread_counts), report)
    cpus = device.cpu_affinity(measurement.cpu_affinity)
    for threads in thread_counts:
        label = f"float32 matrix product, {threads} thread(s)"
        clock.started(label)
        try:
            with timeline.span("cooldown", threads=threads):
                wait_for_cooldown(device.state, measurement.cooldown)
            with timeline.span("peak", threads=threads):
                peaks[threads] = device.peak_gflops(threads, cpus)
        except HarnessError:
            peaks[threads] = None
        clock.finished(label, "measured" if peaks[threads] else "unavailable")
    return peaks


def _metadata(matrix: Matrix, device: Device, planned: list[PlannedCell]) -> dict:
    return {
        "matrix": {"name": matrix.name, "path": str(matrix.path) if matrix.path else None, "text": matrix.text},
        "measurement": matrix.measurement.model_dump(mode="json"),
        "device": {"name": device.name, "platform": device.platform, **device.facts()},
        "cells_planned": len(planned),
        "started_at": now().isoformat(),
        **run_provenance(),
    }


def _open_store(matrix: Matrix, device: Device, planned: list[PlannedCell], results_root: Path,
                run_id: str | None, resume: Path | None) -> tuple[RunStore, set[str]]:
    """A new run folder, or an interrupted one to finish: its recorded cells are kept and not run again."""
    if resume is None:
        if run_id is not None:
            check_safe_name("--run-id", run_id)
        metadata = _metadata(matrix, device, planned)
        return RunStore.create(results_root, run_id or new_run_id(matrix, device), metadata), set()
    store = open_for_resume(resume, matrix, {"name": device.name, "platform": device.platform, **device.facts()})
    recorded = store.metadata()
    store.update_metadata(status="running", resumed_at=[*recorded.get("resumed_at", []), now().isoformat()])
    return store, store.recorded_cell_ids()


def _runtime_binary(device: Device, outcome: CellOutcome) -> RuntimeBinary | None:
    """The runtime's binaries, for a cell that reached the device; a file that cannot be read becomes a note."""
    if not outcome.results:
        return None
    try:
        return device.runtime_binary(outcome.planned.cell.runtime)
    except SizeError as error:
        outcome.device_notes.append(f"the runtime's size was not measured: {error}")
        return None


def run_bench(matrix: Matrix, device: Device, results_root: Path, cache: ArtifactCache, *,
              use_cache: bool = True, on_progress: Callable[[Progress], None] = lambda _: None,
              run_id: str | None = None, resume: Path | None = None, convert_workers: int | None = None) -> RunSummary:
    """Run every cell of ``matrix`` on ``device``; with ``resume`` (a run folder), only the cells it lacks."""
    all_planned = plan(matrix, device)
    if not all_planned:
        check_some_cell_runs(matrix, all_planned, device.name)  # says which rules removed every cell
    store, done = _open_store(matrix, device, all_planned, results_root, run_id, resume)
    planned = [p for p in all_planned if p.cell.cell_id not in done]
    facts, measurement = store.metadata()["device"], matrix.measurement
    counts = {"ok": 0, "failed": 0, "skipped": 0, **({"already recorded": len(done)} if resume else {})}
    runnable = [p for p in planned if p.conversion is not None]
    timeline = Timeline(store.folder / TIMELINE_FILE)
    clock = PhaseClock("run", len(runnable), on_progress)

    def record(outcome: CellOutcome) -> None:
        with timeline.span("write", runtime=outcome.planned.cell.runtime, cell_id=outcome.planned.cell.cell_id):
            if outcome.results:
                outcome.fail_if_delegate_differs()
            report = build_report(outcome, store.folder.name, device.platform, facts, measurement, matrix.parity,
                                  _runtime_binary(device, outcome))
            columns = report.columns()
            store.write_row(columns)
            if outcome.operator_profile is not None:
                store.write_operators(columns["cell_id"], operator_rows(outcome.operator_profile, columns))
        counts[outcome.status] += 1
        if outcome.planned.conversion is not None:
            clock.finished(outcome.planned.cell.label, outcome.status, quick=not outcome.results)

    try:
        for item in planned:
            if item.skip_reason:
                record(CellOutcome.skipped(item))
        conversions = list(dict.fromkeys(p.conversion for p in planned if p.conversion is not None))
        artifacts = convert_all(conversions, cache, use_cache, on_progress, timeline, convert_workers)
        _write_operator_lists(artifacts, store.folder / OPERATOR_LISTS_FOLDER)
        peaks = _measure_peaks(device, sorted({p.cell.threads for p in runnable}), measurement, on_progress, timeline)
        store.update_metadata(peak_gflops_per_s={str(t): g for t, g in peaks.items()})
        with tempfile.TemporaryDirectory(prefix="harness-inputs-") as scratch:
            if runnable:
                device.open_run(store.folder.name)
            runner = CellRunner(device, measurement, Path(scratch), peaks, timeline, matrix.profile)
            outcomes = []
            for item in runnable:
                artifact = artifacts[item.conversion]  # type: ignore[index]  # runnable cells have a conversion
                if isinstance(artifact, ConversionFailure):
                    record(CellOutcome.failed_before_running(item, "convert", artifact.message))
                elif refusal := _incompatibility(artifact, device):
                    record(CellOutcome.failed_before_running(item, "compatibility", refusal, artifact))
                else:
                    outcomes.append(runner.start(item, artifact))
            clock.started("measuring")
            run_cells(runner, outcomes, measurement, record)
    except BaseException:
        try:
            store.update_metadata(status="interrupted", finished_at=now().isoformat(), counts=counts)
        except (OSError, HarnessError):
            pass  # a full disk; the error that stopped the run is the one to tell
        raise
    finally:
        device.close_run()
    store.update_metadata(status="finished", finished_at=now().isoformat(), counts=counts)
    return RunSummary(store.folder, counts)
