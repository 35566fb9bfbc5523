"""Everything known about one cell, filled in as its repetitions run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from harness.convert.cache import Artifact
from harness.devices.state import DeviceState
from harness.plan import PlannedCell
from harness.protocol import OperatorProfile, Result
from harness.run.cooldown import CooldownRecord
from harness.stats import NS_PER_MS, median

Status = Literal["ok", "failed", "skipped"]
# Where a failed cell stopped: conversion, the check that the device's runtime can load the file,
# the shell's load or run, or the device link itself.
Stage = Literal["convert", "compatibility", "load", "run", "device"]
STAGE_OF_SHELL_STATUS: dict[str, Stage] = {"load_failed": "load", "run_failed": "run", "bad_request": "run"}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CellOutcome:
    planned: PlannedCell
    status: Status = "ok"
    stage: Stage | None = None
    error: str | None = None
    artifact: Artifact | None = None
    results: list[Result] = field(default_factory=list)
    started_at: datetime | None = None
    cooldowns: list[CooldownRecord] = field(default_factory=list)
    state_before: DeviceState | None = None
    state_after: DeviceState | None = None
    other_busy_seconds: float = 0.0  # CPU time used by anything but the shells, over this cell's repetitions
    total_cpu_seconds: float = 0.0
    busy_measured: bool = True
    cpu_affinity: tuple[int, ...] | None = None
    peak_gflops: float | None = None
    device_notes: list[str] = field(default_factory=list)  # retries and other things the device link did
    operator_profile: OperatorProfile | None = None  # from a separate profiled process, never a repetition

    @classmethod
    def skipped(cls, planned: PlannedCell) -> CellOutcome:
        return cls(planned, "skipped", started_at=now())

    @classmethod
    def failed_before_running(cls, planned: PlannedCell, stage: Stage, error: str,
                              artifact: Artifact | None = None) -> CellOutcome:
        return cls(planned, "failed", stage, error, artifact=artifact, started_at=now())

    def fail(self, stage: Stage, error: str | None) -> None:
        """The one place a running cell's status turns to failed."""
        self.status, self.stage, self.error = "failed", stage, error

    def add_result(self, result: Result, before: DeviceState, after: DeviceState) -> None:
        """A repetition's result, and the CPU use by anything but its shell, between the two device readings."""
        self.state_after = after
        busy_before, busy_after, own = before.cpu_busy_seconds, after.cpu_busy_seconds, result.cpu_time_ns
        if busy_before is None or busy_after is None or own is None:
            self.busy_measured = False
        else:
            self.other_busy_seconds += busy_after - busy_before - own / 1e9
            self.total_cpu_seconds += (after.cpu_total_seconds or 0.0) - (before.cpu_total_seconds or 0.0)
        self.results.append(result)
        if not result.ok:
            self.fail(STAGE_OF_SHELL_STATUS[result.status], result.error)
        elif not result.timing.samples_ns and not result.timing.summary_ns:  # a phone can say ok, measuring nothing
            self.fail("run", f"the shell ({result.shell.get('name')}) reported ok but returned no timed samples "
                             "and no summary: nothing was measured")

    def fail_if_delegate_differs(self) -> None:
        """A runtime that applied another delegate than the one asked for fails the cell, its samples kept."""
        requested, applied = self.planned.cell.delegate, self.results[-1].delegate_applied
        if self.status == "ok" and applied != requested:
            self.fail("run", f"requested delegate {requested} but the runtime applied {applied}; "
                             "the samples are kept, but this is not the configuration asked for")

    def repetition_medians_ms(self) -> list[float]:
        medians = (repetition_median_ns(r) for r in self.results if r.ok)
        return [m / NS_PER_MS for m in medians if m]


def repetition_median_ns(result: Result) -> float | None:
    if result.timing.samples_ns:
        return median(result.timing.samples_ns)
    return (result.timing.summary_ns or {}).get("median")


def iterations(result: Result) -> int:
    """Timed iterations: samples, or the count a tool's summary gives."""
    if result.timing.samples_ns or not result.timing.summary_ns:
        return len(result.timing.samples_ns)
    return int(result.timing.summary_ns.get("count", 0))
