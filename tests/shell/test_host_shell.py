"""The host shell answers every request with a result file, including bad ones."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from harness.protocol import Request, read_result
from tests.fixtures.messages import input_file, request


def _shell(tmp_path, request: dict | str):
    request_path = tmp_path / "request.json"
    request_path.write_text(request if isinstance(request, str) else json.dumps(request))
    completed = subprocess.run([sys.executable, "-m", "harness.shell.host", str(request_path), str(tmp_path / "result.json")],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return read_result(tmp_path / "result.json")


def _request(**changes) -> Request:
    fields = dict(cell_id="c", runtime="litert", model_path="model.tflite", model_format="tflite", sha256="0" * 64,
                  delegate="xnnpack", threads=1, inputs=(input_file("input0.bin", (1, 4)),),
                  warmup_runs=0, min_iterations=1, min_seconds=0.0, max_seconds=1.0)
    return request(**{**fields, **changes})


def test_unparseable_request_gives_bad_request(tmp_path):
    result = _shell(tmp_path, "{not json")
    assert result.status == "bad_request" and "cannot read" in result.error


def test_wrong_protocol_version_gives_bad_request(tmp_path):
    result = _shell(tmp_path, {**_request().to_json(), "protocol_version": 99})
    assert result.status == "bad_request" and "protocol_version" in result.error


def test_missing_input_file_gives_bad_request(tmp_path):
    result = _shell(tmp_path, _request().to_json())
    assert result.status == "bad_request" and "input0.bin" in result.error


def test_input_of_the_wrong_size_gives_bad_request(tmp_path):
    (tmp_path / "input0.bin").write_bytes(b"\0" * 12)
    result = _shell(tmp_path, _request().to_json())
    assert result.status == "bad_request" and "holds 3 values" in result.error


def test_corrupt_model_gives_load_failed_with_no_samples(tmp_path):
    (tmp_path / "input0.bin").write_bytes(b"\0" * 16)
    (tmp_path / "model.tflite").write_bytes(b"garbage")
    result = _shell(tmp_path, _request().to_json())
    assert result.status == "load_failed" and result.error and result.timing.samples_ns == ()
    assert result.delegate_applied is None


def test_unavailable_delegate_is_an_error_not_a_fallback(tmp_path):
    (tmp_path / "input0.bin").write_bytes(b"\0" * 16)
    (tmp_path / "model.tflite").write_bytes(b"garbage")
    result = _shell(tmp_path, _request(delegate="gpu").to_json())
    assert result.status == "load_failed" and "no gpu delegate" in result.error


def test_the_shell_holds_no_harness_models_before_it_measures():
    """The typed messages (pydantic, about 10 MB) load only after the memory readings."""
    code = ("import sys, harness.shell.host; from harness.runtimes import all_runtimes; "
            "[r.format for r in all_runtimes()]; print('pydantic' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.stdout.strip() == "False", completed.stderr


class _CountingSession:
    """A session whose every run takes 10 ms of a fake clock, and which notes whether the collector could run."""

    def __init__(self):
        self.now, self.collector_enabled = 0, []

    def clock(self) -> int:
        return self.now

    def run(self) -> None:
        self.collector_enabled.append(gc.isenabled())
        self.now += 10_000_000


def test_warm_up_runs_until_both_its_count_and_its_seconds_are_met_bounded_by_max_seconds():
    from harness.shell.host import _runs

    session = _CountingSession()
    assert _runs(session, 2, 0.05, 5.0, session.clock) == [10_000_000] * 5  # 50 ms, though 2 runs were asked
    assert len(_runs(session, 5, 0.0, 5.0, session.clock)) == 5  # the count, when it takes longer
    assert len(_runs(session, 2, 1.0, 0.03, session.clock)) == 3  # max_seconds bounds it
    assert _runs(session, 0, 0.0, 5.0, session.clock) == []  # no warm-up asked: none


def test_the_collector_is_paused_for_warm_up_and_timed_runs_and_warm_up_times_are_recorded():
    from harness.shell.host import _measure

    session, timing, memory = _CountingSession(), {}, {}
    settings = {"warmup_runs": 3, "warmup_seconds": 0.0, "min_iterations": 4, "min_seconds": 0.0, "max_seconds": 5.0}
    _measure(session, settings, timing, memory)
    assert session.collector_enabled[1:] == [False] * 7 and gc.isenabled()  # the first inference aside
    assert len(timing["warmup_samples_ns"]) == 3 and timing["warmup_ns"] == sum(timing["warmup_samples_ns"])
    assert len(timing["samples_ns"]) == 4


def test_the_parent_counts_a_childs_cpu_time_through_its_exit(tmp_path):
    """A shell's own CPU figure is taken before it exits; the teardown after it must not count as other work."""
    import json

    from harness.child import ChildStep, run_child_measured
    from harness.errors import DeviceError
    from tests.fixtures.busy_exit import BURN_SECONDS

    step = ChildStep("tests.fixtures.busy_exit", "a busy child", DeviceError, 120)
    outcome, cpu_time_ns = run_child_measured(step, {}, tmp_path / "job.json", lambda path: json.loads(path.read_text()))
    assert cpu_time_ns >= outcome["cpu_before_exit_ns"] + BURN_SECONDS * 1e9
