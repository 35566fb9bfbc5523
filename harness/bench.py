"""Run a matrix on a device: plan, convert, run each cell in fresh shell processes, write one row per cell.

Library code: reports progress through a callback and never prints. Every cell ends as a row
(ok, failed or skipped); a failure in one cell never stops the run.
"""

from __future__ import annotations

import random
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness.compatibility import incompatibility
from harness.config.matrix import Matrix, Measurement
from harness.convert.cache import Artifact, ArtifactCache
from harness.convert.catalog import Conversion
from harness.cooldown import wait_for_cooldown
from harness.devices.base import Device, Launch
from harness.devices.state import DeviceState
from harness.errors import ConfigError, DeviceError, HarnessError
from harness.formats import write_matrix_operator_lists
from harness.inputs import write_inputs
from harness.plan import PlannedCell, plan
from harness.protocol import Request, Result
from harness.provenance import run_provenance
from harness.results.rows import CellOutcome, build_row, now
from harness.results.store import RunStore
from harness.stats import relative_spread

OPERATOR_LISTS_FOLDER = "operator_lists"  # in the run folder: what size-optimized runtime builds take

_STAGE_OF_STATUS = {"load_failed": "load", "run_failed": "run", "bad_request": "run"}


@dataclass(frozen=True)
class Progress:
    phase: str  # "convert", "peak" or "run"
    done: int
    total: int
    label: str
    status: str | None = None  # set when an item finishes


@dataclass(frozen=True)
class RunSummary:
    run_dir: Path
    counts: dict[str, int]


def new_run_id(matrix: Matrix, device: Device) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{matrix.name}-{device.name}-{secrets.token_hex(2)}"


def needs_another_repetition(outcome: CellOutcome, measurement: Measurement) -> bool:
    """At least `repetitions`; then more, up to `max_repetitions`, while the medians spread over `max_spread`."""
    done = len(outcome.results)
    if outcome.status != "ok" or done >= measurement.max_repetitions:
        return False
    if done < measurement.repetitions:
        return True
    spread = relative_spread(outcome.repetition_medians_ms())
    return spread is not None and spread > measurement.max_spread


def _convert_all(planned: list[PlannedCell], cache: ArtifactCache, use_cache: bool,
                 report: Callable[[Progress], None]) -> dict[Conversion, Artifact | str]:
    conversions = list(dict.fromkeys(p.conversion for p in planned if p.conversion is not None))
    artifacts: dict[Conversion, Artifact | str] = {}
    for index, conversion in enumerate(conversions):
        report(Progress("convert", index, len(conversions), conversion.label))
        try:
            artifact = cache.get_or_convert(conversion, use_cache=use_cache)
            artifacts[conversion] = artifact
            status = "cached" if artifact.from_cache else "converted"
        except HarnessError as error:
            artifacts[conversion] = str(error)
            status = "failed"
        report(Progress("convert", index + 1, len(conversions), conversion.label, status))
    return artifacts


def _write_operator_lists(artifacts: dict[Conversion, Artifact | str], folder: Path) -> None:
    lists: dict[str, list[Path]] = {}
    for artifact in artifacts.values():
        if not isinstance(artifact, str) and artifact.operator_list is not None:
            lists.setdefault(artifact.format, []).append(artifact.operator_list)
    write_matrix_operator_lists(lists, folder)


def _incompatibility(artifact: Artifact | str, device: Device) -> str | None:
    if isinstance(artifact, str) or artifact.inspection is None:
        return None
    return incompatibility(artifact.inspection, device.runtime_limits, device.name)


def _measure_peaks(device: Device, thread_counts: list[int], report: Callable[[Progress], None]) -> dict[int, float | None]:
    peaks: dict[int, float | None] = {}
    for index, threads in enumerate(thread_counts):
        label = f"float32 matrix product, {threads} thread(s)"
        report(Progress("peak", index, len(thread_counts), label))
        try:
            peaks[threads] = device.peak_gflops(threads)
        except HarnessError:
            peaks[threads] = None
        report(Progress("peak", index + 1, len(thread_counts), label, "measured" if peaks[threads] else "unavailable"))
    return peaks


def _request(planned: PlannedCell, artifact: Artifact, inputs, measurement: Measurement) -> Request:
    m, cell = measurement, planned.cell
    return Request(cell.cell_id, cell.runtime, f"model.{artifact.format}", artifact.format, artifact.sha256,
                   cell.delegate, cell.threads, inputs, m.warmup_runs, m.min_iterations, m.min_seconds, m.max_seconds)


def _check_delegate(outcome: CellOutcome) -> CellOutcome:
    requested, applied = outcome.planned.cell.delegate, outcome.results[-1].delegate_applied
    if outcome.status == "ok" and applied != requested:
        outcome.status, outcome.stage = "failed", "run"
        outcome.error = (f"requested delegate {requested} but the runtime applied {applied}; "
                         "the samples are kept, but this is not the configuration asked for")
    return outcome


def _account_busy(outcome: CellOutcome, before: DeviceState, after: DeviceState, result: Result) -> None:
    """Add this repetition's CPU use by anything but its shell to the cell's tally."""
    if None in (before.cpu_busy_seconds, after.cpu_busy_seconds, result.cpu_time_ns):
        outcome.busy_measured = False
        return
    outcome.other_busy_seconds += after.cpu_busy_seconds - before.cpu_busy_seconds - result.cpu_time_ns / 1e9
    outcome.total_cpu_seconds += after.cpu_total_seconds - before.cpu_total_seconds


class _CellRunner:
    def __init__(self, device: Device, measurement: Measurement, scratch: Path, peaks: dict[int, float | None]):
        self.device, self.measurement, self.scratch, self.peaks = device, measurement, scratch, peaks
        self._inputs: dict[str, tuple] = {}
        self._launch = Launch(measurement.cell_timeout_seconds, device.cpu_affinity(measurement.cpu_affinity))

    def start(self, planned: PlannedCell, artifact: Artifact) -> CellOutcome:
        return CellOutcome(planned, "ok", artifact=artifact, cpu_affinity=self._launch.cpu_affinity,
                           peak_gflops=self.peaks.get(planned.cell.threads))

    def _files(self, outcome: CellOutcome) -> tuple[Request, dict[str, Path]]:
        artifact = outcome.artifact
        folder = self.scratch / artifact.key
        if artifact.key not in self._inputs:
            folder.mkdir(parents=True)
            self._inputs[artifact.key] = write_inputs(artifact.inputs, folder)
        inputs = self._inputs[artifact.key]
        request = _request(outcome.planned, artifact, inputs, self.measurement)
        return request, {request.model_path: artifact.path, **{i.path: folder / i.path for i in inputs}}

    def repeat(self, outcome: CellOutcome) -> None:
        """One more repetition of the cell: wait for a calm device, then a fresh shell process."""
        outcome.started_at = outcome.started_at or now()
        request, files = self._files(outcome)
        try:
            cooldown = wait_for_cooldown(self.device.state, self.measurement.cooldown)
            outcome.cooldowns.append(cooldown)
            before = cooldown.last_state  # read as the gate opened: no second round trip to the device
            outcome.state_before = outcome.state_before or before
            result = self.device.run(request, files, self._launch)
            outcome.state_after = self.device.state()
        except DeviceError as error:
            outcome.status, outcome.stage, outcome.error = "failed", "device", str(error)
            return
        finally:
            outcome.device_notes.extend(n for n in self.device.take_notes() if n not in outcome.device_notes)
        _account_busy(outcome, before, outcome.state_after, result)
        outcome.results.append(result)
        if not result.ok:
            outcome.status, outcome.stage, outcome.error = "failed", _STAGE_OF_STATUS[result.status], result.error

    def finished(self, outcome: CellOutcome) -> bool:
        return not needs_another_repetition(outcome, self.measurement)


def _run_cells(runner: _CellRunner, outcomes: list[CellOutcome], measurement: Measurement,
               record: Callable[[CellOutcome], None]) -> None:
    """Shuffled or listed: each cell runs all its repetitions in turn. Interleaved: one repetition of every
    unfinished cell per round, each round in a fresh shuffled order, so drift over time spreads evenly."""
    rng = random.Random(measurement.seed)
    pending = list(outcomes)
    if measurement.order != "as_listed":
        rng.shuffle(pending)
    if measurement.order != "interleaved":
        for outcome in pending:
            while not runner.finished(outcome):
                runner.repeat(outcome)
            record(outcome)
        return
    while pending:
        for outcome in pending:
            runner.repeat(outcome)
        for outcome in [o for o in pending if runner.finished(o)]:
            pending.remove(outcome)
            record(outcome)
        rng.shuffle(pending)


def _metadata(matrix: Matrix, device: Device, planned: list[PlannedCell]) -> dict:
    return {
        "matrix": {"name": matrix.name, "path": str(matrix.path) if matrix.path else None, "text": matrix.text},
        "measurement": asdict(matrix.measurement),
        "device": {"name": device.name, "platform": device.platform, **device.facts()},
        "cells_planned": len(planned),
        "started_at": now().isoformat(),
        **run_provenance(),
    }


def _open_store(matrix: Matrix, device: Device, planned: list[PlannedCell], results_root: Path,
                run_id: str | None, resume: Path | None) -> tuple[RunStore, set[str]]:
    """A new run folder, or an interrupted one to finish: its recorded cells are kept and not run again."""
    if resume is None:
        metadata = _metadata(matrix, device, planned)
        return RunStore.create(results_root, run_id or new_run_id(matrix, device), metadata), set()
    store = RunStore.open(resume)
    recorded = store.metadata()
    if recorded["matrix"]["text"] != matrix.text or recorded["device"]["name"] != device.name:
        raise ConfigError(f"{resume} was run with another matrix or device; resume it with the same ones "
                          f"(device {recorded['device']['name']}, matrix {recorded['matrix']['path']})")
    store.update_metadata(status="running", resumed_at=[*recorded.get("resumed_at", []), now().isoformat()])
    return store, store.recorded_cell_ids()


def run_bench(matrix: Matrix, device: Device, results_root: Path, cache: ArtifactCache, *,
              use_cache: bool = True, on_progress: Callable[[Progress], None] = lambda _: None,
              run_id: str | None = None, resume: Path | None = None) -> RunSummary:
    """Run every cell of ``matrix`` on ``device``; with ``resume`` (a run folder), only the cells it lacks."""
    all_planned = plan(matrix, device)
    store, done = _open_store(matrix, device, all_planned, results_root, run_id, resume)
    planned = [p for p in all_planned if p.cell.cell_id not in done]
    facts, measurement = store.metadata()["device"], matrix.measurement
    counts = {"ok": 0, "failed": 0, "skipped": 0, **({"already recorded": len(done)} if resume else {})}
    runnable = [p for p in planned if p.conversion is not None]
    finished = 0

    def record(outcome: CellOutcome) -> None:
        nonlocal finished
        if outcome.results:
            _check_delegate(outcome)
        store.write_row(build_row(outcome, store.folder.name, device.platform, facts, measurement, matrix.parity))
        counts[outcome.status] += 1
        if outcome.planned.conversion is not None:
            finished += 1
            on_progress(Progress("run", finished, len(runnable), outcome.planned.cell.label, outcome.status))

    try:
        for item in planned:
            if item.skip_reason:
                record(CellOutcome(item, "skipped", started_at=now()))
        artifacts = _convert_all(planned, cache, use_cache, on_progress)
        _write_operator_lists(artifacts, store.folder / OPERATOR_LISTS_FOLDER)
        peaks = _measure_peaks(device, sorted({p.cell.threads for p in runnable}), on_progress)
        store.update_metadata(peak_gflops_per_s={str(t): g for t, g in peaks.items()})
        with tempfile.TemporaryDirectory(prefix="harness-inputs-") as scratch:
            if runnable:
                device.open_run(store.folder.name)
            runner = _CellRunner(device, measurement, Path(scratch), peaks)
            outcomes = []
            for item in runnable:
                artifact = artifacts[item.conversion]
                refusal = _incompatibility(artifact, device)
                if isinstance(artifact, str):
                    record(CellOutcome(item, "failed", "convert", artifact, started_at=now()))
                elif refusal:
                    record(CellOutcome(item, "failed", "compatibility", refusal, artifact=artifact, started_at=now()))
                else:
                    outcomes.append(runner.start(item, artifact))
            on_progress(Progress("run", finished, len(runnable), "measuring"))
            _run_cells(runner, outcomes, measurement, record)
    except BaseException:
        store.update_metadata(status="interrupted", finished_at=now().isoformat(), counts=counts)
        raise
    finally:
        device.close_run()
    store.update_metadata(status="finished", finished_at=now().isoformat(), counts=counts)
    return RunSummary(store.folder, counts)
