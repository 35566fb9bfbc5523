"""The cooldown gate, driven by a fake clock: no real waiting."""

from __future__ import annotations

import pytest

from harness.config.matrix import Cooldown
from harness.devices.state import DeviceState
from harness.run.cooldown import wait_for_cooldown


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
