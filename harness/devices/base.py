"""What every device backend offers the runner. A device runs requests; it knows nothing of matrices."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.compatibility import RuntimeLimits
from harness.devices.state import DeviceState
from harness.protocol import Request, Result

if TYPE_CHECKING:
    from harness.builds.named import NamedBuild
    from harness.runtime_size import RuntimeBinary


@dataclass(frozen=True)
class Launch:
    """How to start a shell process, as opposed to what it runs (the request)."""

    timeout_seconds: float = 300.0
    cpu_affinity: tuple[int, ...] | None = None  # None: every CPU
    start: str = "spawn"  # on the host, "fork": from a server that has imported the runtime (harness/forkserver.py)
    mode: str | None = None  # the cell's execution mode, where the matrix gives one; None: the device's own


class Device(ABC):
    platform: str
    delegates: frozenset[str]
    mode: str = "process"  # how it runs a cell: the host shell process; phones: app or cli

    def __init__(self, name: str):
        self.name = name
        self.runtime_limits = RuntimeLimits()  # what its runtimes load; the devices file may declare it

    @property
    def runtimes(self) -> frozenset[str]:
        """The registered runtimes that run on this device's platform."""
        from harness.runtimes import runtimes_on

        return runtimes_on(self.platform)

    @property
    def modes(self) -> frozenset[str]:
        """The execution modes a cell can ask for here: the device's own, unless it runs several."""
        return frozenset({self.mode})

    def runtimes_in(self, mode: str | None) -> frozenset[str]:
        """The runtimes that run here in ``mode`` (None: the device's own mode)."""
        return self.runtimes if mode in (None, self.mode) else frozenset()

    def open_run(self, run_id: str) -> None:
        """Set up for a run (a work folder, tools); called before the first cell."""

    def close_run(self) -> None:
        """Clean up after a run, finished or not."""

    def prepare(self, request: Request, launch: Launch) -> bool:
        """Get ready to run requests like this one (start a fork server, say); called before the cooldown gate,
        so that work is not counted as another process's load during the cell. True when it did something."""
        return False

    def offers_operator_profile(self, runtime: str, mode: str | None = None) -> bool:
        """Whether a request with profile: operators gets per-operator times from ``runtime`` here, in ``mode``."""
        return False

    def settings(self) -> dict[str, str]:
        """What the alias asks for (serial, mode), told without reaching the device."""
        return {}

    def reachable(self) -> bool:
        """Whether the device answers now, asked once after a cell failed on it, without retries: one that does
        not is gone for good, and the run fails its remaining cells at once instead of retrying each."""
        return True

    def take_notes(self) -> list[str]:
        """What happened on the link since the last call (retries, tool caveats), for the cell's warnings."""
        return []

    def take_spans(self) -> list[tuple[str, float]]:
        """Time spent on the link since the last call, as (phase, seconds): pushes and pulls on phones."""
        return []

    @abstractmethod
    def facts(self) -> dict[str, str | int | float | None]:
        """Identifying facts (model, CPU, OS, memory) recorded with every run."""

    @abstractmethod
    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        """Run one request in a fresh shell process. ``files`` maps the request's relative paths to local files.

        Raises DeviceError when no result comes back (timeout, crash, lost connection)."""

    def runtime_binary(self, runtime: str, mode: str | None = None) -> RuntimeBinary | None:
        """The runtime's binaries a cell of ``runtime`` needs here in ``mode`` (None: the device's own), measured;
        None where they cannot be found.

        Raises SizeError when a file is there but cannot be read."""
        return None

    def runtime_builds(self) -> dict[str, NamedBuild]:
        """The named runtime builds whose tools this device's cells run on, by runtime (cli mode on phones)."""
        return {}

    def state(self) -> DeviceState:
        """What the device reports now (frequencies, load, temperatures, battery); unknowns stay None."""
        return DeviceState(taken_at=time.monotonic())

    def cpu_limit(self) -> int | None:
        """The most threads a cell may ask for: the device's CPU count, where it is known without reaching it."""
        return None

    def cpu_affinity(self, requested: tuple[int, ...] | None) -> tuple[int, ...] | None:
        """The CPUs a shell will run on, as recorded in results."""
        return requested

    def peak_gflops(self, threads: int, cpu_affinity: tuple[int, ...] | None = None) -> float | None:
        """The practical single-precision peak on ``threads`` threads, on the cells' CPUs, or None where it cannot
        be measured."""
        return None
