"""Wait for an idle, cool device before each repetition, instead of sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from harness.config.matrix_schema import Cooldown
from harness.devices.state import DeviceState, busy_fraction


@dataclass(frozen=True)
class CooldownRecord:
    waited_seconds: float
    timed_out: bool
    cpu_busy: float | None
    temperature_c: float | None
    last_state: DeviceState  # the final reading, taken just before the gate opened


@dataclass(frozen=True)
class ShellWindow:
    """The last shell's time on the device: the readings either side of it, and the CPU time the shell used."""

    before: DeviceState
    after: DeviceState
    shell_cpu_seconds: float


def _calm(busy: float | None, temperature: float | None, settings: Cooldown) -> bool:
    return (busy is None or busy <= settings.max_cpu_busy) and (
        temperature is None or temperature <= settings.max_temperature_c)


def _opened_by(window: ShellWindow | None, settings: Cooldown, clock: Callable[[], float]) -> CooldownRecord | None:
    """A gate already open: the last shell ended less than one poll interval ago, and over its whole run nothing
    else used more CPU than allowed, nor was the device hotter after it. That window is a longer measurement
    of the device's load than a poll, and it costs no wait and no reading."""
    if window is None or clock() - window.after.taken_at > settings.poll_seconds:
        return None
    busy = busy_fraction(window.before, window.after, window.shell_cpu_seconds)
    temperature = window.after.temperature_c
    if busy is None and window.after.cpu_busy_seconds is not None:
        return None  # no CPU time elapsed between the readings: nothing was measured
    return CooldownRecord(0.0, False, busy, temperature, window.after) if _calm(busy, temperature, settings) else None


def wait_for_cooldown(read_state: Callable[[], DeviceState], settings: Cooldown,
                      clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], None] = time.sleep,
                      last_shell: ShellWindow | None = None) -> CooldownRecord:
    """Poll until CPU use by anything (measured over one poll interval) and the hottest zone are below
    their limits, or the timeout passes. A condition the device cannot report does not hold anything up.
    ``last_shell``, the shell that just ended, opens the gate at once when the device was calm all through it."""
    opened = _opened_by(last_shell, settings, clock)
    if opened is not None:
        return opened
    start = clock()
    previous = read_state()
    if previous.cpu_busy_seconds is None and previous.temperature_c is None:
        return CooldownRecord(0.0, False, None, None, previous)
    while True:
        sleep(settings.poll_seconds)
        current = read_state()
        busy, temperature = busy_fraction(previous, current), current.temperature_c
        calm = _calm(busy, temperature, settings)
        waited = clock() - start
        if calm or waited >= settings.timeout_seconds:
            return CooldownRecord(waited, not calm, busy, temperature, current)
        previous = current
