from __future__ import annotations

from harness.devices.android import reports

BATTERY = """Current Battery Service state:
  AC powered: false
  USB powered: true
  status: 3
  level: 40
  scale: 50
  temperature: 312
"""

THERMAL = """Thermal Status: 2
Cached temperatures:
\tTemperature{mValue=99.0, mType=0, mName=stale, mStatus=0}
Current temperatures from HAL:
\tTemperature{mValue=41.5, mType=0, mName=cpu0, mStatus=0}
\tTemperature{mValue=47.25, mType=0, mName=cpu4, mStatus=1}
\tTemperature{mValue=60.0, mType=3, mName=skin, mStatus=0}
"""


def test_battery_level_is_scaled_and_temperature_in_tenths():
    battery = reports.parse_battery(BATTERY)
    assert battery.level_pct == 80.0 and battery.temperature_c == 31.2 and battery.charging is False


def test_thermal_status_and_hottest_current_cpu_sensor():
    assert reports.parse_thermal_status(THERMAL) == "moderate"
    assert reports.parse_cpu_temperature(THERMAL) == 47.25  # not the cached reading, not the skin sensor


def test_screen_and_meminfo_in_old_and_new_formats():
    assert reports.parse_screen_on("Display Power: state=OFF") is False
    assert reports.parse_screen_on("  mWakefulness=Awake") is True
    assert reports.parse_meminfo_pss_bytes("           TOTAL PSS:    45678            TOTAL RSS:   9") == 45678 * 1024
    assert reports.parse_meminfo_pss_bytes("  Native Heap  100\n        TOTAL    20480    1000") == 20480 * 1024
    assert reports.parse_meminfo_pss_bytes("No process found for: x") is None


def test_am_start_errors_and_cpu_lists():
    assert "does not exist" in reports.parse_am_start_error("Error: Activity class {a/.B} does not exist.")
    assert reports.parse_am_start_error("Status: ok\nComplete") is None
    assert reports.parse_cpu_list("0-3,6") == [0, 1, 2, 3, 6]
