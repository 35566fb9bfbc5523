"""A device's state at one moment, and what two moments say about the time between them.

Backends fill what they can read; everything else stays None. The Linux readers take a
``read(path)`` function, so any backend that can read a file on the device can reuse them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from harness.devices.readings import RANGES, TEMPERATURE, refused_fields, zone_celsius
from harness.procfs import cpuinfo_values

Reader = Callable[[str], "str | None"]

_THROTTLE_DROP = 0.10  # a mean frequency this much lower after a cell than before suggests throttling


@dataclass(frozen=True)
class DeviceState:
    taken_at: float  # time.monotonic() on the harness side
    cpu_freq_mhz: tuple[float, ...] | None = None
    governors: tuple[str, ...] | None = None  # per core
    load_avg_1m: float | None = None
    temperature_c: float | None = None  # the hottest thermal zone
    cpu_busy_seconds: float | None = None  # cumulative, all CPUs, from /proc/stat
    cpu_total_seconds: float | None = None
    battery_level_pct: float | None = None
    battery_temperature_c: float | None = None
    battery_charging: bool | None = None
    thermal_status: str | None = None
    screen_on: bool | None = None
    refused: tuple[str, ...] = ()  # readings outside their physical range (readings.py), left out above

    @property
    def governor(self) -> str | None:
        """cpu0's governor."""
        return self.governors[0] if self.governors else None


def linux_state(read: Reader, cpu_count: int, ticks_per_second: float, zone_count: int = 64,
                sources: dict[str, str] | None = None, **device_specific) -> DeviceState:
    """What every Linux device exposes alike in /proc and sysfs, read through ``read``, plus what the
    backend reads its own way (``device_specific`` fields replace or add to these; ``sources`` names where
    each came from). Readings outside their physical range are refused here, for every backend."""
    times = read_cpu_times(read, ticks_per_second)
    zones = read_zone_temperatures(read, zone_count)
    zone_notes = () if "temperature_c" in device_specific else tuple(
        TEMPERATURE.refusal(celsius, f"thermal_zone{zone}") for zone, celsius in zones if not TEMPERATURE.holds(celsius))
    state = DeviceState(
        taken_at=time.monotonic(), cpu_freq_mhz=read_cpu_freqs_mhz(read, cpu_count),
        governors=read_governors(read, cpu_count), load_avg_1m=read_load_avg(read),
        temperature_c=_hottest_possible(zones),
        cpu_busy_seconds=times[0] if times else None, cpu_total_seconds=times[1] if times else None)
    state = replace(state, **device_specific)
    emptied, notes = refused_fields({field: getattr(state, field) for field in RANGES}, sources)
    return replace(state, **emptied, refused=zone_notes + notes)


def read_cpu_times(read: Reader, ticks_per_second: float = 100.0) -> tuple[float, float] | None:
    """(busy, total) CPU seconds summed over all CPUs, from the first line of /proc/stat."""
    text = read("/proc/stat")
    if not text or not text.startswith("cpu "):
        return None
    fields = [float(v) for v in text.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user time
    return (total - idle) / ticks_per_second, total / ticks_per_second


def read_load_avg(read: Reader) -> float | None:
    text = read("/proc/loadavg")
    return float(text.split()[0]) if text else None


def _per_cpu(read: Reader, cpu_count: int, name: str) -> list[str]:
    """cpufreq/<name> of CPUs 0, 1, ... up to the first one without it (offline or absent)."""
    values = []
    for cpu in range(cpu_count):
        text = read(f"/sys/devices/system/cpu/cpu{cpu}/cpufreq/{name}")
        if text is None:
            break
        values.append(text.strip())
    return values


def read_cpu_freqs_mhz(read: Reader, cpu_count: int) -> tuple[float, ...] | None:
    freqs = [int(khz) / 1000.0 for khz in _per_cpu(read, cpu_count, "scaling_cur_freq")]
    if freqs:
        return tuple(freqs)
    mhz = [float(value) for value in cpuinfo_values(read("/proc/cpuinfo"), "cpu MHz")]
    return tuple(mhz) or None


def read_governors(read: Reader, cpu_count: int) -> tuple[str, ...] | None:
    return tuple(_per_cpu(read, cpu_count, "scaling_governor")) or None


def read_zone_temperatures(read: Reader, zone_count: int = 64) -> list[tuple[int, float]]:
    """(zone, °C) of thermal zones 0, 1, ... up to the first one missing; units as readings.zone_celsius."""
    temperatures = []
    for zone in range(zone_count):
        text = read(f"/sys/class/thermal/thermal_zone{zone}/temp")
        if text is None:
            break
        celsius = zone_celsius(text)
        if celsius is not None:
            temperatures.append((zone, celsius))
    return temperatures


def _hottest_possible(zones: list[tuple[int, float]]) -> float | None:
    return max((celsius for _, celsius in zones if TEMPERATURE.holds(celsius)), default=None)


def read_max_temperature_c(read: Reader, zone_count: int = 64) -> float | None:
    """The hottest thermal zone among those whose reading is possible."""
    return _hottest_possible(read_zone_temperatures(read, zone_count))


def busy_fraction(before: DeviceState, after: DeviceState, own_cpu_seconds: float = 0.0) -> float | None:
    """Share of all CPU time between two states spent busy, less ``own_cpu_seconds`` of the harness's own work."""
    busy_before, busy_after = before.cpu_busy_seconds, after.cpu_busy_seconds
    total_before, total_after = before.cpu_total_seconds, after.cpu_total_seconds
    if busy_before is None or busy_after is None or total_before is None or total_after is None:
        return None
    total = total_after - total_before
    if total <= 0:
        return None
    busy = busy_after - busy_before - own_cpu_seconds
    return min(1.0, max(0.0, busy / total))


def throttle_warning(before: DeviceState, after: DeviceState, max_temperature_c: float) -> str | None:
    if before.cpu_freq_mhz and after.cpu_freq_mhz:
        mean_before = sum(before.cpu_freq_mhz) / len(before.cpu_freq_mhz)
        mean_after = sum(after.cpu_freq_mhz) / len(after.cpu_freq_mhz)
        if mean_after < (1 - _THROTTLE_DROP) * mean_before:
            return f"mean CPU frequency fell from {mean_before:.0f} to {mean_after:.0f} MHz during the cell (throttled?)"
    if after.temperature_c is not None and after.temperature_c > max_temperature_c:
        return f"the device was at {after.temperature_c:.1f} C after the cell, above {max_temperature_c:g} C"
    return None
