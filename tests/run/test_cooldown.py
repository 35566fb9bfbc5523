"""The cooldown gate, driven by a fake clock: no real waiting."""

from __future__ import annotations

import pytest

from harness.config.matrix import Cooldown
from harness.devices.state import DeviceState
from harness.run.cooldown import ShellWindow, wait_for_cooldown


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _device(clock: FakeClock, busy_share: list[float], temperatures: list[float | None] | None = None):
    """Each reading advances 2 CPU-seconds per second of fake time; busy_share[i] is the share between readings."""
    readings = {"count": 0, "busy": 0.0, "total": 0.0, "last": clock.now}

    def read() -> DeviceState:
        index = readings["count"]
        elapsed = clock.now - readings["last"]
        if index > 0:
            share = busy_share[min(index - 1, len(busy_share) - 1)]
            readings["busy"] += 2 * elapsed * share
            readings["total"] += 2 * elapsed
        readings["count"], readings["last"] = index + 1, clock.now
        temperature = temperatures[min(index, len(temperatures) - 1)] if temperatures else None
        return DeviceState(taken_at=clock.now, cpu_busy_seconds=readings["busy"], cpu_total_seconds=readings["total"],
                           temperature_c=temperature)

    return read


def test_a_calm_device_passes_after_one_poll():
    clock = FakeClock()
    record = wait_for_cooldown(_device(clock, [0.05]), Cooldown(poll_seconds=0.5), clock, clock.sleep)
    assert record.waited_seconds == 0.5 and not record.timed_out and record.cpu_busy == 0.05
    assert record.last_state.taken_at == clock.now  # the reading that opened the gate


def test_a_busy_device_is_waited_for_until_it_calms():
    clock = FakeClock()
    record = wait_for_cooldown(_device(clock, [0.9, 0.8, 0.6, 0.1]), Cooldown(max_cpu_busy=0.25, poll_seconds=1.0),
                               clock, clock.sleep)
    assert record.waited_seconds == 4.0 and not record.timed_out and record.cpu_busy == pytest.approx(0.1)


def test_a_hot_device_is_waited_for_until_it_cools():
    clock = FakeClock()
    read = _device(clock, [0.0], temperatures=[75.0, 70.0, 62.0, 58.0])
    record = wait_for_cooldown(read, Cooldown(max_temperature_c=60.0, poll_seconds=2.0), clock, clock.sleep)
    assert record.waited_seconds == 6.0 and record.temperature_c == 58.0 and not record.timed_out


def test_the_wait_gives_up_at_the_timeout_and_says_so():
    clock = FakeClock()
    record = wait_for_cooldown(_device(clock, [1.0]), Cooldown(timeout_seconds=10.0, poll_seconds=3.0), clock, clock.sleep)
    assert record.timed_out and record.waited_seconds == 12.0 and record.cpu_busy == 1.0


def test_a_device_that_reports_nothing_is_not_waited_for():
    clock = FakeClock()
    record = wait_for_cooldown(lambda: DeviceState(taken_at=clock.now), Cooldown(), clock, clock.sleep)
    assert record.waited_seconds == 0.0 and not record.timed_out and clock.now == 100.0


def _window(clock: FakeClock, seconds: float, busy_cpu_seconds: float, shell_cpu_seconds: float,
            temperature: float | None = None) -> ShellWindow:
    """A shell that ran for ``seconds`` on 2 CPUs and just ended; the device was busy for ``busy_cpu_seconds``."""
    before = DeviceState(taken_at=clock.now - seconds, cpu_busy_seconds=10.0, cpu_total_seconds=100.0)
    after = DeviceState(taken_at=clock.now, cpu_busy_seconds=10.0 + busy_cpu_seconds,
                        cpu_total_seconds=100.0 + 2 * seconds, temperature_c=temperature)
    return ShellWindow(before, after, shell_cpu_seconds)


def _unread() -> DeviceState:
    raise AssertionError("the gate read the device although the last shell's window had answered")


def test_a_shell_that_just_ended_on_a_calm_device_opens_the_gate_without_a_poll():
    clock = FakeClock()
    window = _window(clock, seconds=4.0, busy_cpu_seconds=4.2, shell_cpu_seconds=4.0)  # 0.2 s of other work in 8
    record = wait_for_cooldown(_unread, Cooldown(), clock, clock.sleep, last_shell=window)
    assert record.waited_seconds == 0.0 and clock.now == 100.0 and not record.timed_out
    assert record.cpu_busy == pytest.approx(0.2 / 8) and record.last_state is window.after


def test_other_work_during_the_last_shell_makes_the_gate_poll():
    clock = FakeClock()
    window = _window(clock, seconds=4.0, busy_cpu_seconds=7.0, shell_cpu_seconds=4.0)  # 3 s of other work in 8
    record = wait_for_cooldown(_device(clock, [0.05]), Cooldown(poll_seconds=0.5), clock, clock.sleep, last_shell=window)
    assert record.waited_seconds == 0.5 and record.cpu_busy == 0.05


def test_a_hot_device_after_the_last_shell_makes_the_gate_poll():
    clock = FakeClock()
    window = _window(clock, seconds=4.0, busy_cpu_seconds=4.0, shell_cpu_seconds=4.0, temperature=75.0)
    read = _device(clock, [0.0], temperatures=[70.0, 58.0])
    record = wait_for_cooldown(read, Cooldown(max_temperature_c=60.0, poll_seconds=2.0), clock, clock.sleep,
                               last_shell=window)
    assert record.waited_seconds == 2.0 and record.temperature_c == 58.0


def test_a_window_older_than_one_poll_interval_is_not_trusted():
    clock = FakeClock()
    window = _window(clock, seconds=4.0, busy_cpu_seconds=4.0, shell_cpu_seconds=4.0)
    clock.now += 0.3  # the harness wrote results for longer than the 0.25 s poll interval since
    record = wait_for_cooldown(_device(clock, [0.05]), Cooldown(), clock, clock.sleep, last_shell=window)
    assert record.waited_seconds == pytest.approx(0.25)
