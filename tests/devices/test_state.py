from __future__ import annotations

import pytest

from harness.devices.host import HostDevice
from harness.devices.state import (
    DeviceState,
    busy_fraction,
    read_cpu_freqs_mhz,
    read_cpu_times,
    read_governors,
    read_load_avg,
    read_max_temperature_c,
    throttle_warning,
)

FILES = {
    "/proc/stat": "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n",
    "/proc/loadavg": "0.42 0.30 0.20 1/100 12345\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq": "1800000\n",
    "/sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq": "2400000\n",
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor": "schedutil\n",
    "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor": "performance\n",
    "/sys/class/thermal/thermal_zone0/temp": "41000\n",
    "/sys/class/thermal/thermal_zone1/temp": "47500\n",
}


def read(path: str) -> str | None:
    return FILES.get(path)


def test_linux_readers_parse_sysfs_and_proc():
    assert read_cpu_times(read) == (1.5, 10.0)  # busy = total - idle - iowait, in seconds at 100 ticks/s
    assert read_load_avg(read) == 0.42
    assert read_cpu_freqs_mhz(read, 4) == (1800.0, 2400.0)
    assert read_governors(read, 4) == ("schedutil", "performance")
    assert read_max_temperature_c(read) == 47.5


def test_readers_fall_back_or_give_none():
    cpuinfo = {"/proc/cpuinfo": "processor: 0\ncpu MHz\t\t: 2596.146\nprocessor: 1\ncpu MHz\t\t: 2600.000\n"}
    assert read_cpu_freqs_mhz(cpuinfo.get, 2) == (2596.146, 2600.0)
    nothing = {}.get
    assert read_cpu_times(nothing) is None and read_load_avg(nothing) is None and read_governors(nothing, 2) is None
    assert read_max_temperature_c(nothing) is None and read_cpu_freqs_mhz(nothing, 2) is None


def test_busy_fraction_subtracts_the_harness_own_work():
    before = DeviceState(0, cpu_busy_seconds=10.0, cpu_total_seconds=100.0)
    after = DeviceState(1, cpu_busy_seconds=18.0, cpu_total_seconds=120.0)
    assert busy_fraction(before, after) == pytest.approx(0.4)
    assert busy_fraction(before, after, own_cpu_seconds=6.0) == pytest.approx(0.1)
    assert busy_fraction(DeviceState(0), after) is None


def test_throttling_is_noticed_from_frequency_or_temperature():
    cool = DeviceState(0, cpu_freq_mhz=(2000.0, 2000.0), temperature_c=40.0)
    slowed = DeviceState(1, cpu_freq_mhz=(1500.0, 1600.0), temperature_c=40.0)
    hot = DeviceState(1, cpu_freq_mhz=(2000.0, 2000.0), temperature_c=80.0)
    assert "fell from 2000 to 1550 MHz" in throttle_warning(cool, slowed, 60.0)
    assert "80.0 C" in throttle_warning(cool, hot, 60.0)
    assert throttle_warning(cool, cool, 60.0) is None


def test_host_state_reads_this_machine():
    state = HostDevice("host").state()
    assert state.cpu_total_seconds > state.cpu_busy_seconds > 0 and state.load_avg_1m is not None
    assert state.cpu_freq_mhz and state.battery_level_pct is None
