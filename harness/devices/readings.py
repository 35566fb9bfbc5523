"""Which readings of a device's state are physically possible: the one table of ranges, for every device.

A value outside its range is never recorded: the field stays None, and a note in the state's `refused`
says which value was refused, so the cell's `warnings` can say it (harness/run/warnings.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PhysicalRange:
    what: str
    low: float
    high: float
    unit: str

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high

    def refusal(self, value: float, source: str | None = None) -> str:
        where = f" from {source}" if source else ""
        return (f"refused a reading: {self.what} {value:g} {self.unit}{where} is outside "
                f"{self.low:g} to {self.high:g} {self.unit}, so it is not recorded")


# Wide enough for any phone or computer that is running; narrow enough that a fan's RPM, a reading in the
# wrong unit or a sensor's error code is refused. Silicon throttles and shuts down well below 150 °C;
# Android shuts a phone down when its battery passes about 60 °C.
TEMPERATURE = PhysicalRange("temperature", -40.0, 150.0, "°C")
RANGES: dict[str, PhysicalRange] = {
    "temperature_c": TEMPERATURE,
    "battery_temperature_c": PhysicalRange("battery temperature", -40.0, 100.0, "°C"),
    "battery_level_pct": PhysicalRange("battery level", 0.0, 100.0, "%"),
}


def refused_fields(values: dict[str, float | None],
                   sources: dict[str, str] | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The fields of ``values`` to empty, and a note for each, by the table above."""
    emptied: dict[str, Any] = {}  # field -> None, for dataclasses.replace
    notes: list[str] = []
    for field, value in values.items():
        bounds = RANGES.get(field)
        if bounds is not None and value is not None and not bounds.holds(value):
            emptied[field] = None
            notes.append(bounds.refusal(value, (sources or {}).get(field)))
    return emptied, tuple(notes)


def zone_celsius(text: str) -> float | None:
    """A sysfs thermal zone's `temp`. The kernel's ABI is millidegrees Celsius ("41000"); some older vendor
    kernels print tenths ("410") or whole degrees ("41"). Told apart by size: a running device's zone is not
    below 1 °C, so under 1000 is not millidegrees; under 200 is whole degrees, else tenths. A reading in
    tenths above 100 °C looks like millidegrees; the table above catches the rest."""
    try:
        value = int(text.strip())
    except ValueError:
        return None
    if abs(value) >= 1000:
        return value / 1000
    return value / 10 if abs(value) >= 200 else float(value)
