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


def wait_for_cooldown(read_state: Callable[[], DeviceState], settings: Cooldown,
                      clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], None] = time.sleep) -> CooldownRecord:
    """Poll until CPU use by anything (measured over one poll interval) and the hottest zone are below
    their limits, or the timeout passes. A condition the device cannot report does not hold anything up."""
    start = clock()
    previous = read_state()
    if previous.cpu_busy_seconds is None and previous.temperature_c is None:
        return CooldownRecord(0.0, False, None, None, previous)
    while True:
        sleep(settings.poll_seconds)
        current = read_state()
        busy, temperature = busy_fraction(previous, current), current.temperature_c
        calm = (busy is None or busy <= settings.max_cpu_busy) and (
            temperature is None or temperature <= settings.max_temperature_c)
        waited = clock() - start
        if calm or waited >= settings.timeout_seconds:
            return CooldownRecord(waited, not calm, busy, temperature, current)
        previous = current
