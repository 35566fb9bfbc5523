"""What an iPhone's lockdown values and IORegistry say, read into the harness's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Battery:
    level_pct: float | None
    charging: bool | None
    temperature_c: float | None


def parse_battery(entry: dict[str, Any] | None) -> Battery:
    """IOPMPowerSource's entry: CurrentCapacity of MaxCapacity (percent on iOS), IsCharging, and Temperature in
    hundredths of a degree Celsius. A key the device leaves out stays None."""
    if not entry:
        return Battery(None, None, None)
    current, maximum = entry.get("CurrentCapacity"), entry.get("MaxCapacity")
    level = None
    if isinstance(current, int | float) and isinstance(maximum, int | float) and maximum:
        level = 100.0 * current / maximum
    charging = entry.get("IsCharging")
    temperature = entry.get("Temperature")
    return Battery(level, bool(charging) if charging is not None else None,
                   temperature / 100.0 if isinstance(temperature, int | float) else None)


def model_name(values: dict[str, Any]) -> str | None:
    """The device's name as its owner set it, and its ProductType (iPhone15,2), e.g. "Ann's iPhone (iPhone15,2)"."""
    name, product = values.get("DeviceName"), values.get("ProductType")
    if name and product:
        return f"{name} ({product})"
    return name or product


def os_name(values: dict[str, Any]) -> str:
    return f"iOS {values.get('ProductVersion')} ({values.get('BuildVersion')})"
