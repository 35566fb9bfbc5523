"""`dumpsys thermalservice`, read by its sections and records (Android 10 to 15).

ThermalManagerService prints top-level lines ("Thermal Status: 1", "HAL Ready: true") and headings
("Current temperatures from HAL:") whose records follow, indented by a tab, until the next top-level line.
No blank line separates one section from the next. Records are Temperature.toString
("Temperature{mValue=41.5, mType=0, mName=cpu0, mStatus=0}") and CoolingDevice.toString
("CoolingDevice{mValue=4200, mType=0, mName=fan}"); a cooling device's mType=0 is a fan, its value in RPM.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# android.os.PowerManager.THERMAL_STATUS_*, by code
THERMAL_STATUSES = ("none", "light", "moderate", "severe", "critical", "emergency", "shutdown")
TYPE_CPU = 0  # android.os.Temperature.TYPE_CPU
CURRENT_TEMPERATURES = "Current temperatures from HAL"
COOLING_DEVICES = "Current cooling devices from HAL"

_TEMPERATURE = re.compile(r"Temperature\{mValue=(?P<value>[^,]*), mType=(?P<type>-?\d+), "
                          r"mName=(?P<name>.*), mStatus=(?P<status>-?\d+)\}")
# An Android 10 development snapshot printed "Name: cpu0, Type: 0, Status: 0, Value: 41.500000" instead.
_TEMPERATURE_LINE = re.compile(r"Name: (?P<name>.*), Type: (?P<type>-?\d+), Status: (?P<status>-?\d+), "
                               r"Value: (?P<value>\S+)")
_COOLING_DEVICE = re.compile(r"CoolingDevice\{mValue=(?P<value>[^,]*), mType=(?P<type>-?\d+), mName=(?P<name>.*)\}")


@dataclass(frozen=True)
class Temperature:
    name: str
    type: int  # Temperature.TYPE_*
    celsius: float | None  # None for NaN: the HAL has no reading
    status: int  # Temperature.THROTTLING_*


@dataclass(frozen=True)
class CoolingDevice:
    name: str
    type: int  # CoolingDevice.TYPE_*: 0 fan (RPM), 2 CPU, 3 GPU, ...
    value: float | None


@dataclass(frozen=True)
class ThermalReport:
    status_code: int | None
    hal_ready: bool | None
    temperatures: tuple[Temperature, ...]  # "Current temperatures from HAL", not the cached ones
    cooling_devices: tuple[CoolingDevice, ...]

    @property
    def status(self) -> str | None:
        """The thermal status level's name; None before the HAL reported (the service starts at Integer.MIN_VALUE)."""
        code = self.status_code
        if code is None or code < 0:
            return None
        return THERMAL_STATUSES[code] if code < len(THERMAL_STATUSES) else str(code)

    def hottest(self, kind: int) -> Temperature | None:
        """The hottest sensor of one Temperature.TYPE_* (a phone may have several: CPU clusters, skin spots)."""
        readings = [t for t in self.temperatures if t.type == kind and t.celsius is not None]
        return max(readings, key=lambda t: t.celsius or 0.0, default=None)


def sections(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Top-level "Key: value" fields, and each heading's indented lines."""
    fields: dict[str, str] = {}
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t":
            if current is not None:
                current.append(line.strip())
            continue
        key, colon, value = line.partition(":")
        if colon and not value.strip():
            current = blocks.setdefault(key.strip(), [])
        else:
            current = None
            if colon:
                fields[key.strip()] = value.strip()
    return fields, blocks


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def _temperature(line: str) -> Temperature | None:
    match = _TEMPERATURE.fullmatch(line) or _TEMPERATURE_LINE.fullmatch(line)
    if not match:
        return None
    return Temperature(match["name"], int(match["type"]), _number(match["value"]), int(match["status"]))


def _cooling_device(line: str) -> CoolingDevice | None:
    match = _COOLING_DEVICE.fullmatch(line)
    return CoolingDevice(match["name"], int(match["type"]), _number(match["value"])) if match else None


def whole_number(text: str | None) -> int | None:
    """A field's integer value, or None where the field is missing or not an integer."""
    return int(text) if text is not None and re.fullmatch(r"-?\d+", text) else None


def parse_thermalservice(text: str) -> ThermalReport:
    fields, blocks = sections(text)
    temperatures = (_temperature(line) for line in blocks.get(CURRENT_TEMPERATURES, []))
    devices = (_cooling_device(line) for line in blocks.get(COOLING_DEVICES, []))
    ready = fields.get("HAL Ready")
    return ThermalReport(
        status_code=whole_number(fields.get("Thermal Status")),
        hal_ready=None if ready is None else ready == "true",
        temperatures=tuple(t for t in temperatures if t is not None),
        cooling_devices=tuple(d for d in devices if d is not None))
