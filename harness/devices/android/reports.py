"""Read what Android's own commands print: getprop, dumpsys battery/power/meminfo, am start (and, in
thermal_report.py, dumpsys thermalservice), each by its structure: its sections, records and fields.

Formats vary across Android versions (tests/devices/android/reports/ holds one golden text per version
where a format changed); every reader returns None for what it cannot find instead of guessing. Whether
a value is physically possible is decided in one place, harness/devices/readings.py, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.devices.android.thermal_report import TYPE_CPU, parse_thermalservice, whole_number

__all__ = ["TYPE_CPU", "parse_thermalservice"]  # device.py reads thermalservice through this module too

_UNKNOWN, _CHARGING, _FULL = 1, 2, 5  # BatteryManager.BATTERY_STATUS_*
_BATTERY_HEADING = "Current Battery Service state:"
_UPDATES_STOPPED = "(UPDATES STOPPED"  # `dumpsys battery set ...` froze the values: they are not the battery's
_SCREEN_ON_DISPLAY_STATES = ("ON", "VR", "ON_SUSPEND")  # Display.stateToString


def parse_getprop(text: str) -> dict[str, str]:
    """`[name]: [value]` records; a value may run over several lines."""
    return dict(re.findall(r"^\[([^\]]+)\]: \[(.*?)\]$", text, re.MULTILINE | re.DOTALL))


def indented_fields(text: str, heading: str) -> dict[str, str] | None:
    """The "  key: value" lines under a heading line, up to the next line that is not indented."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        return None
    fields: dict[str, str] = {}
    for line in lines[start + 1:]:
        if line and line[0] not in " \t":
            break
        key, colon, value = line.strip().partition(": ")
        if colon:
            fields[key] = value.strip()
        elif line.strip():
            fields[line.strip()] = ""
    return fields



@dataclass(frozen=True)
class Battery:
    level_pct: float | None
    temperature_c: float | None  # BatteryService prints tenths of a degree on every version
    voltage_v: float | None  # printed in millivolts
    charging: bool | None  # charging or full on a charger
    updates_stopped: bool = False  # values set by `dumpsys battery set`, not read from the battery


def parse_battery(text: str) -> Battery:
    """BatteryService.dumpInternal: "Current Battery Service state:" and its indented fields. Vendors leave
    some out (voltage, temperature, the powered lines); a missing field stays None."""
    fields = indented_fields(text, _BATTERY_HEADING)
    if fields is None:
        return Battery(None, None, None, None)
    level, scale = whole_number(fields.get("level")), whole_number(fields.get("scale")) or 100
    temperature, voltage = whole_number(fields.get("temperature")), whole_number(fields.get("voltage"))
    status = whole_number(fields.get("status"))
    powered = [fields[name] == "true" for name in fields if name.endswith(" powered")]
    if status not in (None, _UNKNOWN):
        charging: bool | None = status in (_CHARGING, _FULL)
    else:
        charging = any(powered) if powered else None
    return Battery(
        level_pct=100 * level / scale if level is not None else None,
        temperature_c=temperature / 10 if temperature is not None else None,
        voltage_v=voltage / 1000 if voltage is not None else None,
        charging=charging, updates_stopped=any(key.startswith(_UPDATES_STOPPED) for key in fields))


def parse_screen_on(text: str) -> bool | None:
    """PowerManagerService's dump (whole, or grepped to its two lines): "Display Power: state=ON" (the display's
    state) is preferred over "mWakefulness=Awake" (the global wakefulness)."""
    display = re.search(r"^\s*Display Power: state=(\w+)", text, re.MULTILINE)
    if display:
        return display.group(1) in _SCREEN_ON_DISPLAY_STATES
    wakefulness = re.search(r"^\s*mWakefulness=(\w+)", text, re.MULTILINE)
    return wakefulness.group(1) == "Awake" if wakefulness else None


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    name: str
    pss_kb: int | None


_MEMINFO_BLOCK = re.compile(r"^\*\* MEMINFO in pid (\d+) \[([^\]]*)\] \*\*$", re.MULTILINE)
_SUMMARY_TOTAL = re.compile(r"^\s*TOTAL(?: PSS)?:\s+(\d+)", re.MULTILINE)  # "TOTAL:" (10), "TOTAL PSS:" (11+)
_TABLE_TOTAL = re.compile(r"^\s*TOTAL\s+(\d+)", re.MULTILINE)  # the table's TOTAL row; its first column is PSS


def parse_meminfo(text: str) -> list[ProcessMemory]:
    """`dumpsys meminfo <package>`: one "** MEMINFO in pid N [name] **" block per process of the package. Each
    block's PSS is its "App Summary" total when it has one, else its table's TOTAL row."""
    starts = list(_MEMINFO_BLOCK.finditer(text))
    processes = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        block = text[start.end():end]
        total = _SUMMARY_TOTAL.search(block) or _TABLE_TOTAL.search(block)
        processes.append(ProcessMemory(int(start.group(1)), start.group(2), int(total.group(1)) if total else None))
    return processes


def parse_meminfo_pss_bytes(text: str) -> int | None:
    """The package's PSS: the sum over its processes, in bytes (meminfo prints kilobytes)."""
    sizes = [p.pss_kb for p in parse_meminfo(text) if p.pss_kb is not None]
    return sum(sizes) * 1024 if sizes else None


@dataclass(frozen=True)
class ActivityStart:
    """`am start -W` (ActivityManagerShellCommand.runAmStart)."""

    status: str | None  # "ok" or "timeout"
    launch_state: str | None  # COLD, WARM, HOT, RELAUNCH, UNKNOWN; absent before LaunchState was printed
    activity: str | None
    total_time_ms: int | None
    wait_time_ms: int | None
    error: str | None


def parse_am_start(text: str) -> ActivityStart:
    fields: dict[str, str] = {}
    errors = []
    for line in text.splitlines():
        if line.startswith(("Error", "Exception", "Warning: Activity not started")) or "does not exist" in line:
            errors.append(line.strip())
        key, colon, value = line.partition(": ")
        if colon and key in ("Status", "LaunchState", "Activity", "TotalTime", "WaitTime"):
            fields[key] = value.strip()
    # "Error type 3" only numbers the failure; the line after it says what it was
    error = next((e for e in errors if not re.fullmatch(r"Error type \d+", e)), errors[0] if errors else None)
    return ActivityStart(fields.get("Status"), fields.get("LaunchState"), fields.get("Activity"),
                         whole_number(fields.get("TotalTime")), whole_number(fields.get("WaitTime")), error)


def parse_am_start_error(text: str) -> str | None:
    """`am start` exits 0 on most failures; its output says so."""
    return parse_am_start(text).error


def parse_version_code(text: str) -> int | None:
    match = re.search(r"versionCode=(\d+)", text)
    return int(match.group(1)) if match else None


def parse_cpu_list(text: str | None) -> list[int]:
    """Kernel CPU lists such as '0-7' or '0-3,6'."""
    cpus: list[int] = []
    for part in (text or "").strip().split(","):
        if "-" in part:
            low, high = part.split("-")
            cpus.extend(range(int(low), int(high) + 1))
        elif part:
            cpus.append(int(part))
    return cpus
