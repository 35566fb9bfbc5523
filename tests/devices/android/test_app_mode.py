"""App mode's own behaviour on the emulated phone: the app's log in errors, and requests outside its folder."""

from __future__ import annotations

import pytest

from harness.devices.android.app_build import flavor_for, flavors
from harness.devices.android.device import AndroidDevice
from harness.devices.base import Launch
from harness.devices.inventory import AndroidEntry
from harness.errors import DeviceError


@pytest.fixture
def device(phone):
    device = AndroidDevice("emulated", AndroidEntry(platform="android", serial=f"127.0.0.1:{phone.port}"))
    device.open_run("app-mode-test")
    yield device
    device.close_run()


def _request(runtime: str = "litert") -> dict:
    return {"kind": "request", "protocol_version": 2, "cell_id": "c1", "runtime": runtime,
            "model": {"path": "model.tflite", "format": "tflite", "sha256": "0" * 64}, "delegate": "xnnpack",
            "threads": 1, "inputs": [], "measurement": {"warmup_runs": 0, "min_iterations": 1, "min_seconds": 0,
                                                         "max_seconds": 1}}


def test_an_app_that_dies_without_a_result_has_its_log_in_the_error(device, phone, monkeypatch):
    import harness.devices.android.app_mode as app_mode

    monkeypatch.setattr(app_mode, "_GRACE_POLLS", 2)
    phone.set_state(app_crash="java.lang.UnsatisfiedLinkError: dlopen failed: libfbjni.so")
    with pytest.raises(DeviceError) as raised:
        device._runner.run_message(_request(), {}, Launch(timeout_seconds=30))
    message = str(raised.value)
    assert message.startswith("the app exited without writing a result; the app's log: ")
    assert "UnsatisfiedLinkError" in message and "running /sdcard/Android/data/org.mobilebench.shell/files/runs/" in message


def test_each_runtime_runs_in_its_flavor_and_prepare_compiled_every_flavor(device, phone):
    import json

    assert flavor_for("torchscript").package == "org.mobilebench.shell.ptl"
    assert flavor_for("litert").package == flavor_for("executorch").package == "org.mobilebench.shell"
    state = json.loads((phone.root / ".device/state.json").read_text())
    assert state["apps"] == {f.package: 2 for f in flavors()} and "compiled" not in state  # up to date: no reinstall


def test_the_emulated_app_refuses_a_request_outside_its_folder_and_says_so(device, phone):
    link = device.link
    link.command(["log", "-t", "MobileBench", "harness: start manual"])
    link.output(["am", "start", "-W", "-S", "-n", flavor_for("litert").activity, "--es", "request",
                 "/data/local/tmp/request.json", "--es", "result", "/sdcard/Android/data/org.mobilebench.shell/files/r.json"])
    import time

    refusal = "refused: request path /data/local/tmp/request.json is outside this app's files folder"
    deadline = time.monotonic() + 30  # the stand-in app runs in the background, as the real one does
    while refusal not in (log := link.command(["logcat", "-d", "-s", "MobileBench:*"]).text) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert refusal in log.split("harness: start manual", 1)[1]
    assert not phone.local_path("/sdcard/Android/data/org.mobilebench.shell/files/r.json").exists()
