from __future__ import annotations

from harness.devices.readings import RANGES, refused_fields, zone_celsius
from harness.devices.state import linux_state, read_max_temperature_c


def zones(*values: str):
    return {f"/sys/class/thermal/thermal_zone{i}/temp": value for i, value in enumerate(values)}.get


def test_thermal_zones_in_millidegrees_tenths_or_degrees():
    assert (zone_celsius("41500\n"), zone_celsius("415"), zone_celsius("41"), zone_celsius("-5000")) == (41.5, 41.5, 41.0, -5.0)
    assert zone_celsius("n/a") is None


def test_an_impossible_zone_is_refused_and_the_hottest_possible_one_kept():
    read = zones("41000", "-273000", "4200000", "47500")
    assert read_max_temperature_c(read) == 47.5
    state = linux_state(read, 1, 100.0)
    assert state.temperature_c == 47.5
    assert [note.split(" is outside")[0] for note in state.refused] == [
        "refused a reading: temperature -273 °C from thermal_zone1", "refused a reading: temperature 4200 °C from thermal_zone2"]


def test_device_readings_outside_their_range_are_left_empty_with_a_note():
    state = linux_state(zones("41000"), 1, 100.0, sources={"temperature_c": "dumpsys thermalservice (cpu4)"},
                        temperature_c=4200.0, battery_temperature_c=500.0, battery_level_pct=85.0)
    assert (state.temperature_c, state.battery_temperature_c, state.battery_level_pct) == (None, None, 85.0)
    assert state.refused == (
        "refused a reading: temperature 4200 °C from dumpsys thermalservice (cpu4) is outside -40 to 150 °C, "
        "so it is not recorded",
        "refused a reading: battery temperature 500 °C is outside -40 to 100 °C, so it is not recorded")


def test_the_range_table_is_the_one_place_and_lets_ordinary_values_through():
    emptied, notes = refused_fields({"temperature_c": 85.0, "battery_level_pct": 100.0, "battery_temperature_c": -10.0})
    assert emptied == {} and notes == ()
    assert set(RANGES) <= set(linux_state(zones(), 1, 100.0).__dataclass_fields__)
