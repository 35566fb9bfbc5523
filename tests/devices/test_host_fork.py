"""The host's shells forked from a runtime's fork server: started ahead of the first repetition, killed when they
hang, and the server going on. The servers themselves: tests/test_forkserver.py; what a forked shell reports:
the conformance suite (its `host-forked` shell)."""

from __future__ import annotations

import pytest

from harness.devices.base import Launch
from harness.devices.host import HostDevice, shell_server
from harness.errors import DeviceError
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


def test_a_runtime_that_cannot_be_imported_is_one_line():
    with pytest.raises(DeviceError, match="the no-such-runtime shell could not start: .*no-such-runtime"):
        shell_server("no-such-runtime", 1)()
