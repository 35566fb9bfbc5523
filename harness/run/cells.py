"""The repetition loop: each cell in fresh shell processes, after the device has cooled, until it is stable."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from harness.config.matrix import Measurement
from harness.convert.cache import Artifact
from harness.devices.base import Device, Launch
from harness.errors import DeviceError
from harness.inputs import write_inputs
from harness.plan import PlannedCell
from harness.protocol import InputFile, MeasurementSettings, ModelFile, Request, Result
from harness.run.cooldown import ShellWindow, wait_for_cooldown
from harness.run.outcome import CellOutcome, now
from harness.run.timeline import Timeline
from harness.stats import more_repetitions_needed


def needs_another_repetition(outcome: CellOutcome, measurement: Measurement) -> bool:
    """At least `repetitions`; then more, up to `max_repetitions`, while the median is known too loosely."""
    if outcome.status != "ok":
        return False
    return more_repetitions_needed(outcome.repetition_medians_ms(), len(outcome.results), measurement.repetitions,
                                   measurement.max_repetitions, measurement.max_relative_error)


def shell_split(result: Result) -> dict[str, float]:
    """The shell's own account of its time, in seconds: what it measured of load, inference and warm-up."""
    timing = result.timing
    timed: float = sum(timing.samples_ns)
    if not timed and timing.summary_ns:
        timed = timing.summary_ns.get("mean", 0.0) * timing.summary_ns.get("count", 0.0)
    parts = {"load": timing.load_ns, "first_inference": timing.first_inference_ns, "warmup": timing.warmup_ns,
             "timed": timed or None}
    return {name: ns / 1e9 for name, ns in parts.items() if ns is not None}


def cell_request(planned: PlannedCell, artifact: Artifact, inputs: tuple[InputFile, ...],
                 measurement: Measurement, profile: str | None = None) -> Request:
    cell = planned.cell
    return Request(cell_id=cell.cell_id, runtime=cell.runtime, profile=profile,
                   model=ModelFile(path=f"model.{artifact.format}", format=artifact.format, sha256=artifact.sha256),
                   delegate=cell.delegate, threads=cell.threads, inputs=inputs,
                   measurement=MeasurementSettings(warmup_runs=measurement.warmup_runs,
                                                   warmup_seconds=measurement.warmup_seconds,
                                                   min_iterations=measurement.min_iterations,
                                                   min_seconds=measurement.min_seconds,
                                                   max_seconds=measurement.max_seconds))


class CellRunner:
    def __init__(self, device: Device, measurement: Measurement, scratch: Path, peaks: dict[int, float | None],
                 timeline: Timeline | None = None, profile: str | None = None):
        self.device, self.measurement, self.scratch, self.peaks = device, measurement, scratch, peaks
        self.profile = profile  # "operators": one more, profiled, process per cell after its repetitions
        self.timeline = timeline or Timeline(None)
        self._inputs: dict[str, tuple[InputFile, ...]] = {}
        self.lost: str | None = None  # why the device is gone for good: the remaining cells fail at once
        self._last_shell: ShellWindow | None = None  # the shell that ended last, for the next cooldown gate
        self.launch = Launch(measurement.cell_timeout_seconds, device.cpu_affinity(measurement.cpu_affinity),
                              measurement.shell_start)

    def launch_of(self, outcome: CellOutcome) -> Launch:
        """How this cell's shells start: the run's launch, in the cell's own execution mode where it has one."""
        mode = outcome.planned.cell.execution_mode
        return self.launch if mode is None else replace(self.launch, mode=mode)

    def start(self, planned: PlannedCell, artifact: Artifact) -> CellOutcome:
        return CellOutcome(planned, "ok", artifact=artifact, cpu_affinity=self.launch.cpu_affinity,
                           peak_gflops=self.peaks.get(planned.cell.threads))

    def request_files(self, outcome: CellOutcome, profile: str | None = None) -> tuple[Request, dict[str, Path]]:
        artifact = outcome.artifact
        assert artifact is not None, "a cell runs only with its converted file"
        folder = self.scratch / artifact.key
        if artifact.key not in self._inputs:
            folder.mkdir(parents=True, exist_ok=True)
            self._inputs[artifact.key] = write_inputs(artifact.inputs, folder)
        inputs = self._inputs[artifact.key]
        request = cell_request(outcome.planned, artifact, inputs, self.measurement, profile)
        return request, {request.model.path: artifact.path, **{i.path: folder / i.path for i in inputs}}

    def repeat(self, outcome: CellOutcome) -> None:
        """One more repetition of the cell: wait for a calm device, then a fresh shell process."""
        outcome.started_at = outcome.started_at or now()
        if self.lost:
            outcome.fail("device", f"not run: {self.lost}")
            return
        try:
            request, files = self.request_files(outcome)
        except ValidationError as invalid:  # e.g. a user's file with a scalar input: this cell fails, not the run
            first = invalid.errors()[0]
            outcome.fail("run", f"invalid request at {'/'.join(map(str, first['loc']))}: {first['msg']}")
            return
        where = {"runtime": request.runtime, "cell_id": request.cell_id, "repetition": len(outcome.results) + 1}
        launch = self.launch_of(outcome)
        try:
            began, begin = time.time(), time.monotonic()
            last_shell, self._last_shell = self._last_shell, None
            if self.device.prepare(request, launch):  # work since the last shell: the gate measures again
                self.timeline.add("prepare", began, time.monotonic() - begin, **where)
                last_shell = None
            with self.timeline.span("cooldown", **where):
                cooldown = wait_for_cooldown(self.device.state, self.measurement.cooldown, last_shell=last_shell)
            outcome.cooldowns.append(cooldown)
            before = cooldown.last_state  # read as the gate opened: no second round trip to the device
            outcome.state_before = outcome.state_before or before
            with self.timeline.span("shell", **where) as inside:
                result = self.device.run(request, files, launch)
                inside["inside"] = shell_split(result)
            with self.timeline.span("state", **where):
                after = self.device.state()
        except DeviceError as error:
            outcome.fail("device", str(error))
            if not self.device.reachable():
                self.lost = f"{self.device.name} stopped answering after: {error}"
            return
        finally:
            outcome.device_notes.extend(n for n in self.device.take_notes() if n not in outcome.device_notes)
            for phase, seconds in self.device.take_spans():  # inside the shell span: dated as ending now
                self.timeline.add(phase, time.time() - seconds, seconds, **where)
        outcome.add_result(result, before, after)
        if result.cpu_time_ns is not None:
            self._last_shell = ShellWindow(before, after, result.cpu_time_ns / 1e9)

    def profile_operators(self, outcome: CellOutcome) -> None:
        """After the timed repetitions, where the matrix asks and the device offers it: one profiled process.
        A profile that fails is a note on the cell, not a failure: its latency stands."""
        cell = outcome.planned.cell
        if self.profile != "operators" or outcome.status != "ok" or \
                not self.device.offers_operator_profile(cell.runtime, cell.execution_mode):
            return
        where = {"runtime": cell.runtime, "cell_id": cell.cell_id}
        try:
            request, files = self.request_files(outcome, self.profile)
            self.device.prepare(request, self.launch_of(outcome))
            with self.timeline.span("profile", **where):
                result = self.device.run(request, files, self.launch_of(outcome))
        except (DeviceError, ValidationError) as error:
            outcome.device_notes.append(f"operator profile failed: {error}")
            return
        finally:
            outcome.device_notes.extend(n for n in self.device.take_notes() if n not in outcome.device_notes)
        if result.ok and result.operator_profile is not None:
            outcome.operator_profile = result.operator_profile
        else:
            outcome.device_notes.append(f"operator profile failed: {result.error or 'no profile in the result'}")

    def finished(self, outcome: CellOutcome) -> bool:
        return not needs_another_repetition(outcome, self.measurement)


def order_seed(measurement: Measurement, device: str | None = None) -> int | str:
    """The seed of one device's cell order: the matrix's own for a single device; in a run on several devices,
    salted with the device's name, so each device's order is its own and still reproducible."""
    return measurement.seed if device is None else f"{measurement.seed}:{device}"


def run_cells(runner: CellRunner, outcomes: list[CellOutcome], measurement: Measurement,
              record: Callable[[CellOutcome], None], seed: int | str | None = None,
              round_done: Callable[[int, int, int], None] = lambda number, ran, left: None) -> None:
    """Shuffled or listed: each cell runs all its repetitions in turn. Interleaved: one repetition of every
    unfinished cell per round, each round in a fresh shuffled order, so drift over time spreads evenly; as no
    cell finishes before the last rounds, ``round_done(round number, cells it ran, cells left)`` tells of each."""
    rng = random.Random(measurement.seed if seed is None else seed)
    pending = list(outcomes)
    if measurement.order != "as_listed":
        rng.shuffle(pending)
    if measurement.order != "interleaved":
        for outcome in pending:
            while not runner.finished(outcome):
                runner.repeat(outcome)
            runner.profile_operators(outcome)
            record(outcome)
        return
    number = 0
    while pending:
        for outcome in pending:
            runner.repeat(outcome)
        number, ran = number + 1, len(pending)
        for outcome in [o for o in pending if runner.finished(o)]:
            pending.remove(outcome)
            runner.profile_operators(outcome)
            record(outcome)
        round_done(number, ran, len(pending))
        rng.shuffle(pending)
