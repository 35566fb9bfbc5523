from __future__ import annotations

import pytest

from harness.devices.android.thermal_report import TYPE_CPU, parse_thermalservice
from tests.devices.android.golden import golden, goldens

TYPE_SKIN = 3  # android.os.Temperature.TYPE_SKIN

# file: (thermal status, the hottest current CPU sensor as (name, °C), the hottest skin sensor's °C, cooling devices)
EXPECTED = {
    "thermalservice/android-10.txt": ("none", ("cpu6", 46.8), 33.4, 3),
    "thermalservice/android-10-hal1.txt": ("none", ("CPU1", 43.5), 31.0, 1),
    "thermalservice/android-10-snapshot.txt": ("moderate", ("cpu4", 51.25), 41.0, 0),
    "thermalservice/android-11.txt": ("light", ("cpu-1-0-usr", 58.7), 42.0, 2),
    "thermalservice/android-12.txt": ("none", ("AP", 36.4), 30.3, 0),
    "thermalservice/android-13.txt": ("moderate", ("cpu-mid", 71.5), 46.0, 2),
    "thermalservice/android-14-fan.txt": ("light", ("cpu-big-0", 52.3), 36.2, 4),
    "thermalservice/android-14-hot-sensor.txt": ("none", ("cpu4", 4200.0), None, 0),
    "thermalservice/android-15.txt": ("severe", ("CPU1", 84.9), 48.0, 2),
    "thermalservice/hal-not-ready.txt": (None, None, None, 0),
}


def test_every_golden_file_has_an_expectation():
    assert goldens("thermalservice") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_thermalservice_by_sections_and_records(name):
    status, cpu, skin, cooling = EXPECTED[name]
    report = parse_thermalservice(golden(name))
    hottest_cpu, hottest_skin = report.hottest(TYPE_CPU), report.hottest(TYPE_SKIN)
    assert report.status == status
    assert (hottest_cpu.name, hottest_cpu.celsius) == cpu if cpu else hottest_cpu is None
    assert (hottest_skin.celsius if hottest_skin else None) == skin
    assert len(report.cooling_devices) == cooling


def test_a_fan_after_the_temperatures_is_never_the_cpu_temperature():
    """No blank line before "Current cooling devices from HAL:"; the fan (mType=0) spins at 4200 RPM."""
    text = golden("thermalservice/android-14-fan.txt")
    fan = parse_thermalservice(text).cooling_devices[0]
    assert (fan.name, fan.type, fan.value) == ("fan-0", 0, 4200.0)
    assert parse_thermalservice(text).hottest(TYPE_CPU).celsius == 52.3  # cpu-big-0's current reading, not its cached 61.2


def test_unread_sensors_and_unknown_status_codes():
    nan = parse_thermalservice(golden("thermalservice/android-13.txt"))
    assert [t.celsius for t in nan.temperatures if t.name == "cpu-prime"] == [None]  # NaN: no reading
    assert parse_thermalservice("Thermal Status: 9\n").status == "9"  # a level newer than this list
    assert parse_thermalservice("Can't find service: thermalservice\n").status is None
    assert parse_thermalservice("").hottest(TYPE_CPU) is None


def test_every_thermal_status_level_by_name():
    levels = ["none", "light", "moderate", "severe", "critical", "emergency", "shutdown"]  # PowerManager.THERMAL_STATUS_*
    assert [parse_thermalservice(f"Thermal Status: {code}\n").status for code in range(7)] == levels
