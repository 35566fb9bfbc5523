"""Read what Android's own commands print: getprop, dumpsys battery/thermalservice/power/meminfo, am start.

Formats vary across Android versions; every reader returns None for what it cannot find instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# android.os.PowerManager.THERMAL_STATUS_*
THERMAL_STATUSES = ("none", "light", "moderate", "severe", "critical", "emergency", "shutdown")
_TEMPERATURE_TYPE_CPU = 0  # android.os.Temperature.TYPE_CPU
_CHARGING, _FULL = 2, 5  # BatteryManager.BATTERY_STATUS_*


def parse_getprop(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\[([^\]]+)\]: \[(.*)\]$", text, re.MULTILINE))


@dataclass(frozen=True)
class Battery:
    level_pct: float | None
    temperature_c: float | None
    charging: bool | None


def parse_battery(text: str) -> Battery:
    def field(name: str) -> str | None:
        match = re.search(rf"^\s*{name}:\s*(\S+)", text, re.MULTILINE)
        return match.group(1) if match else None

    level, scale, temperature, status = field("level"), field("scale"), field("temperature"), field("status")
    powered = [field(f"{kind} powered") for kind in ("AC", "USB", "Wireless")]
    charging = None
    if status is not None:
        charging = int(status) in (_CHARGING, _FULL)
    elif any(p is not None for p in powered):
        charging = "true" in powered
    return Battery(
        level_pct=100 * int(level) / int(scale or 100) if level else None,
        temperature_c=int(temperature) / 10 if temperature else None,  # tenths of a degree
        charging=charging)


def parse_thermal_status(text: str) -> str | None:
    match = re.search(r"^Thermal Status:\s*(\d+)", text, re.MULTILINE)
    if not match:
        return None
    code = int(match.group(1))
    return THERMAL_STATUSES[code] if code < len(THERMAL_STATUSES) else str(code)


def parse_cpu_temperature(text: str) -> float | None:
    """The hottest CPU sensor in thermalservice's current HAL readings (Android 10+)."""
    current = text.split("Current temperatures from HAL:", 1)
    if len(current) < 2:
        return None
    values = [float(value) for value, kind in
              re.findall(r"mValue=(-?[\d.]+), mType=(\d+)", current[1].split("\n\n")[0])
              if int(kind) == _TEMPERATURE_TYPE_CPU]
    return max(values) if values else None


def parse_screen_on(text: str) -> bool | None:
    match = re.search(r"Display Power: state=(\w+)", text) or re.search(r"mWakefulness=(\w+)", text)
    if not match:
        return None
    return match.group(1) in ("ON", "Awake")


def parse_meminfo_pss_bytes(text: str) -> int | None:
    """TOTAL PSS from `dumpsys meminfo` (kilobytes): 'TOTAL PSS: N' (Android 10+) or the table's TOTAL row."""
    match = re.search(r"TOTAL PSS:\s+(\d+)", text) or re.search(r"^\s*TOTAL\s+(\d+)", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def parse_am_start_error(text: str) -> str | None:
    """`am start` exits 0 on most failures; its output says so."""
    for line in text.splitlines():
        if line.startswith(("Error", "Exception", "Warning: Activity not started")) or "does not exist" in line:
            return line.strip()
    return None


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
