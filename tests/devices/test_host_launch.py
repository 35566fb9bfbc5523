"""Shells forked from a runtime's fork server: killed when they hang, failures told, dead servers replaced.

What a forked shell reports is checked by the conformance suite (its `host-forked` shell)."""

from __future__ import annotations

import pytest

from harness.devices.base import Launch
from harness.devices.host import HostDevice, shell_environment
from harness.devices.host_launch import ForkServer, ForkServers
from harness.errors import DeviceError
from harness.files import write_json_atomic
from harness.protocol import Request
from tests.conformance.test_shell_conformance import _message, models  # noqa: F401  (models: a fixture)


def test_a_forked_shell_that_outlives_its_timeout_is_killed_and_the_server_goes_on(models):  # noqa: F811
    model = models[("litert", "xnnpack")]
    endless, files = _message(model, "litert", "xnnpack", min_seconds=120.0, max_seconds=120.0)
    device = HostDevice("host")
    try:
        assert device.prepare(Request.from_json(endless), Launch(start="fork"))  # the server starts here...
        assert not device.prepare(Request.from_json(endless), Launch(start="fork"))  # ...once
        assert not device.prepare(Request.from_json(endless), Launch(start="spawn"))
        with pytest.raises(DeviceError, match=r"did not finish within \d+s and was killed"):
            device.run(Request.from_json(endless), files, Launch(timeout_seconds=2, start="fork"))
        quick, files = _message(model, "litert", "xnnpack")
        assert device.run(Request.from_json(quick), files, Launch(start="fork")).status == "ok"
    finally:
        device.close_run()


def test_a_forked_shell_that_writes_no_result_leaves_its_output_in_the_log(models, tmp_path):  # noqa: F811
    message, files = _message(models[("litert", "xnnpack")], "litert", "xnnpack")
    for name, local in files.items():
        (tmp_path / name).symlink_to(local.resolve())
    write_json_atomic(tmp_path / "request.json", message)
    servers = ForkServers()
    try:
        server = servers.server("litert", 1, shell_environment(1))
        code = server.run(tmp_path / "request.json", tmp_path / "nowhere" / "result.json", tmp_path / "shell.log",
                          None, 300)
    finally:
        servers.stop()
    assert code != 0 and not (tmp_path / "nowhere").exists()
    assert "FileNotFoundError" in (tmp_path / "shell.log").read_text()


def test_a_runtime_that_cannot_be_imported_is_one_line():
    with pytest.raises(DeviceError, match="the no-such-runtime shell could not start: .*no-such-runtime"):
        ForkServer("no-such-runtime", shell_environment(1))


def test_a_server_that_died_is_started_again(models):  # noqa: F811
    servers = ForkServers()
    try:
        first = servers.server("litert", 1, shell_environment(1))
        first.process.kill()
        first.process.wait()
        second = servers.server("litert", 1, shell_environment(1))
        assert second is not first and second.alive()
        assert servers.server("litert", 1, shell_environment(1)) is second
    finally:
        servers.stop()
    assert not second.alive()
