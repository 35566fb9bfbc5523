"""Fork servers: children forked from a warm server, one job per server at a time, killed at their timeout,
failures told in one line, dead servers replaced, unneeded ones stopped."""

from __future__ import annotations

import json
import threading
from functools import partial
from pathlib import Path

import pytest

from harness.child import ChildStep, run_child
from harness.errors import DeviceError
from harness.forkserver import ForkServer, ForkServers

STEP = "tests.fixtures.forked_step"


def _server(word: str = "ready") -> ForkServer:
    return ForkServer(STEP, (word,), None, "the test step", DeviceError)  # type: ignore[arg-type]


def _run(server: ForkServer, folder: Path, job: dict, timeout: float = 60.0) -> dict:
    step = ChildStep(STEP, "the test step", DeviceError, timeout)
    return run_child(step, job, folder / "job.json", lambda path: json.loads(path.read_text()), fork_from=server)


def test_each_job_runs_in_a_fresh_child_of_the_warm_server(tmp_path):
    server = _server("torch")
    try:
        first, second = _run(server, tmp_path, {}), _run(server, tmp_path, {})
    finally:
        server.stop()
    assert first["warmed"] == second["warmed"] == ["torch"]  # warm() ran once, in the server
    assert first["parent"] == second["parent"] == server.process.pid
    assert first["pid"] != second["pid"]
    assert not server.alive()


def test_a_child_that_outlives_its_timeout_is_killed_and_the_server_goes_on(tmp_path):
    server = _server()
    try:
        with pytest.raises(DeviceError, match=r"the test step did not finish within 1s and was killed \(log: "):
            _run(server, tmp_path, {"sleep": 60}, timeout=1)
        assert server.alive() and _run(server, tmp_path, {})["warmed"] == ["ready"]
    finally:
        server.stop()


def test_a_child_that_writes_no_outcome_is_one_error_with_what_it_printed(tmp_path):
    server = _server()
    try:
        with pytest.raises(DeviceError, match="exited with code 3 and wrote no result: leaving without an outcome"):
            _run(server, tmp_path, {"no_outcome": True})
    finally:
        server.stop()


def test_a_step_that_cannot_warm_is_one_line():
    with pytest.raises(DeviceError, match="^the test step could not start: RuntimeError: this step cannot warm$"):
        _server("fail")


def test_callers_at_the_same_time_get_a_server_each_and_later_ones_reuse_them(tmp_path):
    servers, started = ForkServers(), []
    inside, leave = threading.Barrier(3, timeout=60), threading.Event()  # the two callers and this test

    def start() -> ForkServer:
        started.append(_server())
        return started[-1]

    def hold() -> None:
        with servers.lease("key", start):
            inside.wait()
            leave.wait(60)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        inside.wait()  # both inside their lease at once
        leave.set()
        for thread in threads:
            thread.join(60)
        assert len(started) == 2 and started[0] is not started[1]
        with servers.lease("key", start) as again:
            assert again in started and len(started) == 2
    finally:
        servers.stop()
    assert not any(server.alive() for server in started)


def test_a_server_that_died_is_started_again(tmp_path):
    servers = ForkServers()
    try:
        first = servers.start("key", _server)
        assert servers.has("key")
        first.process.kill()
        first.process.wait()
        assert not servers.has("key")
        with servers.lease("key", _server) as second:
            assert second is not first and _run(second, tmp_path, {})["parent"] == second.process.pid
    finally:
        servers.stop()


def test_retired_keys_stop_their_idle_servers():
    servers = ForkServers()
    try:
        kept, retired = servers.start("kept", _server), servers.start("retired", partial(_server, "other"))
        servers.retire({"kept"})
        assert kept.alive() and not retired.alive()
        assert servers.has("kept") and not servers.has("retired")
    finally:
        servers.stop()
