"""Several devices in one run: each device runs its own cells one at a time, and the devices run concurrently.

The host runs alone: its share (peak measurement and cells) starts only after every other device has finished
its share, and conversions all happen before any device runs, so nothing else the harness does shares the
host's CPUs while it is measured. Phones run in threads: their work here is waiting on adb.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.compatibility import incompatibility
from harness.config.matrix import Matrix
from harness.convert.cache import Artifact, ConversionFailure
from harness.devices.base import Device
from harness.devices.farm.batch import FarmDevice, farm_summary, run_on_farm
from harness.errors import HarnessError, SizeError
from harness.plan import PlannedCell
from harness.results.store import RunStore
from harness.run.cells import CellRunner, order_seed, run_cells
from harness.run.conversions import Converted
from harness.run.operators import operator_rows
from harness.run.outcome import CellOutcome
from harness.run.progress import PhaseClock, Progress
from harness.run.report import build_report
from harness.run.timeline import Timeline
from harness.runtime_size import RuntimeBinary


@dataclass
class SharedRun:
    """What every device's share writes to; one lock keeps the counts, run.json and progress whole."""

    matrix: Matrix
    store: RunStore
    timeline: Timeline
    report: Callable[[Progress], None]
    several: bool
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: PhaseClock | None = None

    def progress_of(self, device: Device) -> Callable[[Progress], None]:
        def report(event: Progress) -> None:
            with self.lock:
                self.report(replace(event, label=f"{device.name}: {event.label}") if self.several else event)
        return report

    def record_farm(self, device: Device, summary: dict) -> None:
        with self.lock:
            farms = self.store.metadata().get("farm_runs", {})
            self.store.update_metadata(farm_runs={**farms, device.name: summary})

    def record_peaks(self, device: Device, peaks: dict[int, float | None]) -> None:
        measured = {str(t): g for t, g in peaks.items()}
        with self.lock:
            if not self.several:
                self.store.update_metadata(peak_gflops_per_s=measured)
                return
            by_device = self.store.metadata().get("peak_gflops_per_s_by_device", {})
            self.store.update_metadata(peak_gflops_per_s_by_device={**by_device, device.name: measured})


def _incompatibility(artifact: Artifact, device: Device) -> str | None:
    if artifact.inspection is None:
        return None
    return incompatibility(artifact.inspection, device.runtime_limits, device.name)


def _runtime_binary(device: Device, outcome: CellOutcome) -> RuntimeBinary | None:
    """The runtime's binaries, for a cell that reached the device; a file that cannot be read becomes a note."""
    if not outcome.results:
        return None
    try:
        return device.runtime_binary(outcome.planned.cell.runtime, outcome.planned.cell.execution_mode)
    except SizeError as error:
        outcome.device_notes.append(f"the runtime's size was not measured: {error}")
        return None


class DeviceShare:
    """One device's cells of the run: recorded as rows keyed by the device, whatever happens to the others."""

    def __init__(self, device: Device, planned: list[PlannedCell], facts: dict, run: SharedRun):
        self.device, self.planned, self.facts, self.run = device, planned, facts, run
        self.runnable = [p for p in planned if p.conversion is not None]
        self.recorded: set[str] = set()
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}

    def record(self, outcome: CellOutcome) -> None:
        run, cell = self.run, outcome.planned.cell
        with run.timeline.span("write", runtime=cell.runtime, cell_id=cell.cell_id, device=self.device.name):
            if outcome.results:
                outcome.fail_if_delegate_differs()
            report = build_report(outcome, run.store.folder.name, self.device.platform, self.facts,
                                  run.matrix.measurement, run.matrix.parity, _runtime_binary(self.device, outcome))
            columns = report.columns()
            run.store.write_row(columns)
            if outcome.operator_profile is not None:
                run.store.write_operators(columns["cell_id"], operator_rows(outcome.operator_profile, columns))
        with run.lock:
            self.recorded.add(cell.cell_id)
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            run.counts[outcome.status] = run.counts.get(outcome.status, 0) + 1
            if outcome.planned.conversion is not None and run.clock is not None:
                run.clock.finished(self._label(cell.label), outcome.status, quick=not outcome.results)

    def _label(self, label: str) -> str:
        return f"{self.device.name}: {label}" if self.run.several else label

    def record_skipped(self) -> None:
        for item in self.planned:
            if item.skip_reason:
                self.record(CellOutcome.skipped(item))

    def run_cells(self, artifacts: Converted, scratch: Path, measure_peaks) -> None:
        """Peaks, then every runnable cell. A device error outside a cell (the phone gone before the run opened,
        its app missing) stops a single-device run with that one line, as always; with several devices it fails
        this device's remaining cells with its text, and the other devices go on."""
        try:
            self._run_cells(artifacts, scratch, measure_peaks)
        except HarnessError as error:
            if not self.run.several:
                raise
            for item in self.runnable:
                if item.cell.cell_id not in self.recorded:
                    self.record(CellOutcome.failed_before_running(item, "device", str(error)))
        finally:
            self.device.close_run()

    def _run_cells(self, artifacts: Converted, scratch: Path, measure_peaks) -> None:
        run, device = self.run, self.device
        peaks = measure_peaks(device, sorted({p.cell.threads for p in self.runnable}), run.matrix.measurement,
                              run.progress_of(device), run.timeline)
        run.record_peaks(device, peaks)
        if self.runnable:
            device.open_run(run.store.folder.name)
        runner = CellRunner(device, run.matrix.measurement, scratch / device.name, peaks, run.timeline,
                            run.matrix.profile)
        outcomes = []
        for item in self.runnable:
            artifact = artifacts[item.conversion]  # type: ignore[index]  # runnable cells have a conversion
            if isinstance(artifact, ConversionFailure):
                self.record(CellOutcome.failed_before_running(item, "convert", artifact.message))
            elif refusal := _incompatibility(artifact, device):
                self.record(CellOutcome.failed_before_running(item, "compatibility", refusal, artifact))
            else:
                outcomes.append(runner.start(item, artifact))
        if isinstance(device, FarmDevice):  # one batch for the farm's whole pool, then one row per cell and phone
            farm_run = run_on_farm(device, outcomes, runner.request_files, runner.launch, run.store.folder.name,
                                   self.record)
            if farm_run is not None:
                run.record_farm(device, farm_summary(farm_run))
            return
        seed = order_seed(run.matrix.measurement, device.name if run.several else None)
        rounds = PhaseClock("round", run.matrix.measurement.repetitions, run.progress_of(device))

        def round_done(number: int, ran: int, left: int) -> None:
            rounds.total = max(rounds.total, number + (left > 0))  # cells extended past `repetitions`: more rounds
            rounds.finished(f"round {number}: {ran} cells measured, {left} continue", "done")

        rounds.started("round 1")  # the clock counts the first round's time too
        run_cells(runner, outcomes, run.matrix.measurement, self.record, seed, round_done)


def run_shares(shares: Sequence[DeviceShare], work: Callable[[DeviceShare], None]) -> None:
    """Every device but the host at once, one thread each; then the host, alone. An exception that is not a
    device's (a bug, an interrupt) stops the run after the running shares end, as in a single-device run."""
    others = [s for s in shares if s.device.platform != "host"]
    failures: list[BaseException] = []

    def guarded(share: DeviceShare) -> None:
        try:
            work(share)
        except BaseException as error:  # re-raised in the calling thread below
            failures.append(error)

    if len(others) == 1 and len(shares) == 1:
        work(others[0])
    elif others:
        threads = [threading.Thread(target=guarded, args=(s,), name=f"device-{s.device.name}", daemon=True)
                   for s in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)  # short waits, so Ctrl-C reaches the main thread
        if failures:
            raise failures[0]
    for share in shares:
        if share.device.platform == "host":
            work(share)
