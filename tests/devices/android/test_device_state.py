"""The phone's state as AndroidDevice reads it from dumpsys battery, thermalservice and power (golden texts)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from harness.devices.android.device import AndroidDevice
from harness.devices.android.link import _FILE_MARK
from harness.devices.inventory import AndroidEntry
from tests.devices.android.golden import golden


class _Link:
    serial = "golden"

    def __init__(self, battery: str, thermal: str, power: str, zones: dict[str, str]):
        self.battery, self.thermal, self.power, self.zones = battery, thermal, power, zones
        self.scripts: list[str] = []

    def script(self, text):
        """What the phone prints for the state script: each file the loop names, then the three reports."""
        self.scripts.append(text)
        paths = re.search(r"for f in (.*?); do", text).group(1).split()
        files = "".join(f"{_FILE_MARK}{path}\n" + (f"{self.zones[path]}\n" if path in self.zones else f"{_FILE_MARK}missing\n")
                        for path in paths)
        marker = "__HARNESS_SECTION__"
        return SimpleNamespace(text=f"{files}{marker}\n{self.battery}{marker}\n{self.thermal}{marker}\n{self.power}")


def _state(battery: str, thermal: str, zones: dict[str, str] | None = None):
    device = AndroidDevice("golden", AndroidEntry(platform="android", serial="golden"))
    link = _Link(golden(battery), golden(thermal), golden("power/grepped-asleep.txt"), zones or {})
    device._link, device._cpu_count = link, 1
    state = device.state()
    assert len(link.scripts) == 1, "the state is one round trip to the phone"
    return state, device.take_notes()


def test_a_phone_with_a_fan_reads_its_cpu_not_its_fan():
    state, notes = _state("battery/android-14.txt", "thermalservice/android-14-fan.txt")
    assert state.temperature_c == 52.3 and state.thermal_status == "light" and state.refused == () and notes == []
    assert (state.battery_level_pct, state.battery_temperature_c, state.battery_charging, state.screen_on) == (
        85.0, 31.2, False, False)


def test_impossible_readings_are_refused_not_recorded():
    state, _ = _state("battery/impossible-temperature.txt", "thermalservice/android-14-hot-sensor.txt")
    assert state.temperature_c is None and state.battery_temperature_c is None and state.battery_level_pct == 85.0
    assert [note.split(" is outside")[0] for note in state.refused] == [
        "refused a reading: temperature 4200 °C from dumpsys thermalservice (cpu4)",
        "refused a reading: battery temperature 500 °C from dumpsys battery"]


def test_without_a_hal_the_thermal_zones_answer_and_frozen_battery_values_are_noted():
    zones = {"/sys/class/thermal/thermal_zone0/temp": "385", "/sys/class/thermal/thermal_zone1/temp": "36000"}
    state, notes = _state("battery/updates-stopped.txt", "thermalservice/hal-not-ready.txt", zones)
    assert state.temperature_c == 38.5 and state.thermal_status is None  # tenths on an older kernel
    assert notes == ["dumpsys battery: updates stopped, so its values were set by `dumpsys battery set`"]
