"""Progress events of a run, each with the time left in its phase, estimated from the items done so far."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    phase: str  # "convert", "peak" or "run"
    done: int
    total: int
    label: str
    status: str | None = None  # set when an item finishes
    eta_seconds: float | None = None  # None until an item that took time has finished


class PhaseClock:
    """Counts one phase's items and reports each; items that cost nothing (cached, refused) are left out of
    the rate, so a phase that starts with many of them does not promise an early end. The clock starts
    with the phase's first event, not when the phase is set up."""

    def __init__(self, phase: str, total: int, report: Callable[[Progress], None],
                 clock: Callable[[], float] = time.monotonic, estimates: bool = True):
        self.phase, self.total, self.report, self.clock = phase, total, report, clock
        self.estimates = estimates  # False: the phase's items do not finish at an even pace; another clock tells
        self.done = 0
        self._start: float | None = None
        self._quick = 0

    def eta_seconds(self) -> float | None:
        worked = self.done - self._quick
        if worked <= 0 or self._start is None or not self.estimates:
            return None
        return (self.clock() - self._start) / worked * max(self.total - self.done, 0)

    def _begin(self) -> None:
        if self._start is None:
            self._start = self.clock()

    def started(self, label: str) -> None:
        self._begin()
        self.report(Progress(self.phase, self.done, self.total, label, eta_seconds=self.eta_seconds()))

    def finished(self, label: str, status: str, quick: bool = False) -> None:
        self._begin()
        self.done += 1
        self._quick += quick
        self.report(Progress(self.phase, self.done, self.total, label, status, self.eta_seconds()))
