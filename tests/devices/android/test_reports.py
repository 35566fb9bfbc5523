from __future__ import annotations

import pytest

from harness.devices.android import reports
from harness.devices.android.reports import ActivityStart, Battery
from tests.devices.android.golden import golden, goldens

BATTERY = {
    "battery/android-10.txt": Battery(85.0, 28.5, 4.301, True),
    "battery/android-14.txt": Battery(85.0, 31.2, 4.301, False),
    "battery/vendor-trimmed.txt": Battery(80.0, None, None, True),  # level 40 of scale 50; AC powered, no status
    "battery/updates-stopped.txt": Battery(5.0, 28.5, 4.301, True, updates_stopped=True),
    "battery/impossible-temperature.txt": Battery(85.0, 500.0, 50.0, True),  # read as printed; refused later
    "battery/no-service.txt": Battery(None, None, None, None),
}
SCREEN = {"power/android-10.txt": True, "power/android-14-dozing.txt": False, "power/grepped-asleep.txt": False,
          "power/wakefulness-only.txt": True}
MEMINFO_KB = {"meminfo/android-10.txt": 107028, "meminfo/android-10-swap-kb.txt": 107028, "meminfo/android-13.txt": 107028,
              "meminfo/no-app-summary.txt": 107028, "meminfo/two-processes.txt": 107028 + 30000,
              "meminfo/not-running.txt": None}
ACTIVITY = "org.mobilebench.shell/.BenchActivity"
AM_START = {
    "am_start/android-10.txt": ActivityStart("ok", "COLD", ACTIVITY, 412, 419, None),
    "am_start/android-12-relaunch.txt": ActivityStart("ok", "RELAUNCH", ACTIVITY, 95, 101, None),
    "am_start/without-launch-state.txt": ActivityStart("ok", None, ACTIVITY, 380, 402, None),
    "am_start/timeout.txt": ActivityStart("timeout", "UNKNOWN (0)", ACTIVITY, None, 10004, None),
    "am_start/no-such-activity.txt": ActivityStart(
        None, None, None, None, None, f"Error: Activity class {{{ACTIVITY}}} does not exist."),
}


@pytest.mark.parametrize(("report", "expected"), [("battery", BATTERY), ("power", SCREEN), ("meminfo", MEMINFO_KB),
                                                  ("am_start", AM_START)])
def test_every_golden_file_has_an_expectation(report, expected):
    assert goldens(report) == sorted(expected)


@pytest.mark.parametrize("name", sorted(BATTERY))
def test_battery_by_its_fields(name):
    assert reports.parse_battery(golden(name)) == BATTERY[name]


@pytest.mark.parametrize("name", sorted(SCREEN))
def test_screen_from_display_state_or_wakefulness(name):
    assert reports.parse_screen_on(golden(name)) is SCREEN[name]


@pytest.mark.parametrize("name", sorted(MEMINFO_KB))
def test_meminfo_pss_summed_over_the_package_processes(name):
    expected = MEMINFO_KB[name]
    assert reports.parse_meminfo_pss_bytes(golden(name)) == (expected * 1024 if expected else None)


def test_meminfo_blocks_name_their_process():
    processes = reports.parse_meminfo(golden("meminfo/two-processes.txt"))
    assert [(p.name, p.pss_kb) for p in processes] == [("org.mobilebench.shell", 107028),
                                                       ("org.mobilebench.shell:bench", 30000)]


@pytest.mark.parametrize("name", sorted(AM_START))
def test_am_start_with_and_without_launch_state(name):
    assert reports.parse_am_start(golden(name)) == AM_START[name]


def test_am_start_error_is_the_first_error_line():
    assert reports.parse_am_start_error(golden("am_start/android-10.txt")) is None
    assert "does not exist" in reports.parse_am_start_error("Error: Activity class {a/.B} does not exist.")


def test_getprop_records_across_versions():
    old, new = reports.parse_getprop(golden("getprop/android-10.txt")), reports.parse_getprop(golden("getprop/android-14.txt"))
    assert (old["ro.build.version.sdk"], old.get("ro.soc.model"), old["ro.board.platform"]) == ("29", None, "msmnile")
    assert old["ro.vendor.build.fingerprint.note"] == "first line\nsecond line"  # a value over two lines
    assert (new["ro.build.version.sdk"], new["ro.soc.model"], new["sys.empty"]) == ("34", "SM8550", "")
    assert goldens("getprop") == ["getprop/android-10.txt", "getprop/android-14.txt"]


def test_cpu_lists():
    assert reports.parse_cpu_list("0-3,6") == [0, 1, 2, 3, 6] and reports.parse_cpu_list(None) == []
