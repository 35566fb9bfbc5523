"""The time left in a phase: from the items that took time, over the items still to do."""

from __future__ import annotations

from harness.cli_progress import time_left
from harness.run.progress import PhaseClock


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_estimate_is_the_mean_item_time_over_the_items_left():
    events, clock = [], FakeClock()
    phase = PhaseClock("run", 5, events.append, clock=clock)
    phase.started("first")
    assert events[-1].eta_seconds is None  # nothing done yet: no guess
    clock.now = 10.0
    phase.finished("a", "ok")
    clock.now = 30.0
    phase.finished("b", "ok")
    assert events[-1].done == 2 and events[-1].eta_seconds == 45.0  # 15 s an item, 3 left


def test_items_that_cost_nothing_do_not_shorten_the_estimate():
    events, clock = [], FakeClock()
    phase = PhaseClock("convert", 4, events.append, clock=clock)
    phase.finished("cached", "cached", quick=True)
    phase.finished("cached", "cached", quick=True)
    assert events[-1].eta_seconds is None
    clock.now = 60.0
    phase.finished("slow", "converted")
    assert events[-1].eta_seconds == 60.0  # one conversion took a minute; one is left


def test_a_phase_whose_items_end_unevenly_makes_no_estimate():
    events, clock = [], FakeClock()
    phase = PhaseClock("run", 5, events.append, clock=clock, estimates=False)  # interleaved: cells end in a burst
    clock.now = 600.0
    phase.finished("a", "ok")
    assert events[-1].done == 1 and events[-1].eta_seconds is None


def test_time_left_reads_as_a_person_would_say_it():
    assert time_left(4) == "about 10 s left"
    assert time_left(44) == "about 40 s left"
    assert time_left(600) == "about 10 min left"
    assert time_left(3 * 3600) == "about 3.0 h left"


def test_a_log_line_says_how_long_is_left_until_the_phase_ends():
    import io

    from harness.cli_progress import ProgressPrinter
    from harness.run.progress import Progress

    stream = io.StringIO()
    printer = ProgressPrinter(stream)
    printer(Progress("run", 3, 52, "mobilenet_v2/litert/fp32/xnnpack/t1", "ok", eta_seconds=490.0))
    printer(Progress("run", 52, 52, "resnet18/executorch/fp32/none/t2", "ok", eta_seconds=0.0))
    assert stream.getvalue().splitlines() == [
        "[run 3/52] mobilenet_v2/litert/fp32/xnnpack/t1: ok (about 8 min left)",
        "[run 52/52] resnet18/executorch/fp32/none/t2: ok"]


def test_the_clock_starts_with_the_phase_not_when_it_is_set_up():
    events, clock = [], FakeClock()
    phase = PhaseClock("run", 3, events.append, clock=clock)
    clock.now = 600.0  # conversions took ten minutes before the first cell
    phase.started("measuring")
    clock.now = 610.0
    phase.finished("a", "ok")
    assert events[-1].eta_seconds == 20.0
