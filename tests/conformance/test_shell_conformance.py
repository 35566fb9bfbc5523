"""One conformance suite for every shell: it speaks only the protocol and checks what comes back.

Shells under test:
- `host`: the host shell process, spawned (always);
- `host-forked`: the same shell forked from a server that imported the runtime, as `harness bench` starts
  it with `shell_start: fork` (always);
- `host-native-executorch`, `host-native-torchscript`: the C++ runners in native/, on the executorch and the torch
  wheels (always; each its own runtime's cases only; `make test` builds them first, `make native-runners` alone);
- `emulated-app`: app mode on the emulated phone, through the real adb server (always; the emulated
  `am start` runs the host shell, so this checks the transport: push, start, poll, pull, parse);
- `emulated-iphone`: the iOS app's launch path on the emulated iPhone: pymobiledevice3's usbmux and lockdown code
  against the emulated usbmuxd, its service classes autospecced; the faked DVT launch runs the host shell in the
  app's container (always; this checks the transport: install check, AFC push, launch, poll, pull, parse);
- `phone`: the Android app on a real phone, with `make test-device DEVICE=<alias>` (marked `device`);
- `iphone`: the iOS app on a real iPhone, with `make test-device DEVICE=iphone` (marked `device`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.child import ChildStep, run_child
from harness.config.matrix import load_matrix
from harness.convert.cache import ArtifactCache
from harness.devices.base import Launch
from harness.devices.host import HostDevice, shell_server
from harness.errors import DeviceError
from harness.files import write_json_atomic
from harness.forkserver import ForkServers
from harness.inputs import write_inputs
from harness.plan import plan
from harness.protocol import Result, read_result
from harness.runtimes import RUNTIMES
from tests.conftest import REPO, require
from tests.fixtures.messages import request as make_request
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

CASES = [("litert", "xnnpack"), ("litert", "none"), ("executorch", "xnnpack"), ("torchscript", "none")]
MIN_ITERATIONS = 6


@dataclass
class Model:
    path: Path
    format: str
    sha256: str
    inputs: tuple


class HostShell:
    """Runs a request message, valid or not, in the host shell process."""

    case = ("litert", "xnnpack")  # the model the tests that need any one model use
    command = (sys.executable, "-m", "harness.shell.host")

    def run(self, message: dict, files: dict[str, Path]) -> Result:
        with tempfile.TemporaryDirectory() as folder:
            for name, local in files.items():
                (Path(folder) / name).symlink_to(local.resolve())
            write_json_atomic(Path(folder) / "request.json", message)
            subprocess.run([*self.command, f"{folder}/request.json", f"{folder}/result.json"], check=True, timeout=300,
                           capture_output=True)
            return read_result(Path(folder) / "result.json")


class NativeShell(HostShell):
    """The same, in a runtime's native runner."""

    def __init__(self, case: tuple[str, str]):
        from harness.devices.native import runner_path

        self.case, self.runtimes = case, frozenset({case[0]})
        self.command = (str(runner_path(case[0])),)


class ForkedHostShell:
    """Runs a request message in a host shell forked from the fork server of the runtime it names."""

    case = ("litert", "xnnpack")

    def __init__(self):
        self.servers = ForkServers()

    def run(self, message: dict, files: dict[str, Path]) -> Result:
        runtime = message.get("runtime") if message.get("runtime") in RUNTIMES.names() else "litert"
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            for name, local in files.items():
                (work / name).symlink_to(local.resolve())
            step = ChildStep("harness.shell.host", "the host shell", DeviceError, 300)
            with self.servers.lease(runtime, shell_server(runtime, 1)) as server:
                return run_child(step, message, work / "request.json", read_result, fork_from=server)


class AppShell:
    """Runs a request message in the Android or iOS app (or an emulated device's stand-in) through app mode."""

    case = ("litert", "xnnpack")

    def __init__(self, device):
        self.device = device

    def run(self, message: dict, files: dict[str, Path]) -> Result:
        return self.device._runner.run_message(message, files, Launch(timeout_seconds=300))


@pytest.fixture(scope="module")
def models(cache_dir, tmp_path_factory) -> dict[str, Model]:
    for module in ("torch", "executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    folder = tmp_path_factory.mktemp("conformance")
    (folder / "matrix.yaml").write_text(TINY_CNN_EVERY_RUNTIME)
    cache = ArtifactCache(cache_dir)
    built = {}
    for item in plan(load_matrix(folder / "matrix.yaml"), HostDevice("host")):
        artifact = cache.get_or_convert(item.conversion)
        inputs_folder = folder / artifact.key
        inputs_folder.mkdir(exist_ok=True)
        built[(item.cell.runtime, item.cell.delegate)] = Model(
            artifact.path, artifact.format, artifact.sha256, (inputs_folder, write_inputs(artifact.inputs, inputs_folder)))
    return built


def _emulated_app_shell(request):
    phone = request.getfixturevalue("phone")
    from harness.devices.android.device import AndroidDevice
    from harness.devices.inventory import AndroidEntry

    device = AndroidDevice("emulated", AndroidEntry(platform="android", serial=f"127.0.0.1:{phone.port}"))
    device.open_run("conformance")
    request.addfinalizer(device.close_run)
    return AppShell(device)


def _emulated_iphone_shell(request):
    iphone = request.getfixturevalue("iphone")
    request.getfixturevalue("emulated_iphone_services")
    from harness.devices.inventory import IosEntry
    from harness.devices.ios.device import IosDevice

    device = IosDevice("emulated-iphone", IosEntry(platform="ios", tunneld=iphone.tunneld))
    device.open_run("conformance")
    request.addfinalizer(device.close_run)
    return AppShell(device)


def _phone_shell(request, platform: str):
    from harness.devices.inventory import device_aliases, open_device

    alias = os.environ.get("HARNESS_TEST_DEVICE")
    devices = REPO / "configs/devices.yaml"
    if not alias or device_aliases(devices).get(alias) != platform:
        pytest.skip(f"no {platform} device: run `make test-device DEVICE=<alias of one>`")
    device = open_device(alias, devices, mode="app")
    device.open_run(f"conformance-{int(time.time())}")
    request.addfinalizer(device.close_run)
    return AppShell(device)


@pytest.fixture(scope="module")
def forked_host_shell():
    shell = ForkedHostShell()
    yield shell
    shell.servers.stop()


@pytest.fixture(params=["host", "host-forked", "host-native-executorch", "host-native-torchscript", "emulated-app",
                        "emulated-iphone",
                        pytest.param("phone", marks=pytest.mark.device), pytest.param("iphone", marks=pytest.mark.device)])
def shell(request):
    if request.param == "host":
        return HostShell()
    if request.param.startswith("host-native-"):  # a runner that is not built fails here, saying how to build it
        return NativeShell(next(case for case in CASES if case[0] == request.param.removeprefix("host-native-")))
    if request.param == "host-forked":
        return request.getfixturevalue("forked_host_shell")
    if request.param == "emulated-app":
        return _emulated_app_shell(request)
    if request.param == "emulated-iphone":
        return _emulated_iphone_shell(request)
    return _phone_shell(request, "ios" if request.param == "iphone" else "android")


def _message(model: Model, runtime: str, delegate: str, **measurement) -> tuple[dict, dict[str, Path]]:
    folder, inputs = model.inputs
    request = make_request(f"conformance-{runtime}-{delegate}", runtime, f"model.{model.format}", model.format,
                           model.sha256, delegate, 1, inputs,
                           **{"warmup_runs": 2, "min_iterations": MIN_ITERATIONS, "min_seconds": 0.0,
                              "max_seconds": 60.0, **measurement})
    files = {request.model.path: model.path, **{i.path: folder / i.path for i in inputs}}
    return request.to_json(), files


@pytest.mark.parametrize("runtime, delegate", CASES)
def test_an_ok_run_reports_raw_measurements_as_asked(shell, models, runtime, delegate):
    if runtime not in getattr(shell, "runtimes", {runtime}):
        pytest.skip(f"this shell runs {', '.join(sorted(shell.runtimes))} only")
    message, files = _message(models[(runtime, delegate)], runtime, delegate)
    begin = time.monotonic_ns()
    result = shell.run(message, files)  # read through the schema: every required field is there
    wall_ns = time.monotonic_ns() - begin
    assert result.status == "ok", result.error
    assert result.cell_id == message["cell_id"] and result.error is None
    assert len(result.timing.samples_ns) == MIN_ITERATIONS  # min_seconds 0: exactly the count asked for
    assert all(s > 0 for s in result.timing.samples_ns) and sum(result.timing.samples_ns) < wall_ns
    assert 0 < result.timing.load_ns < wall_ns and 0 < result.timing.first_inference_ns < wall_ns
    assert result.delegate_applied == delegate and result.runtime.name == runtime and result.runtime.version
    assert result.shell["name"] and result.shell["version"]
    memory = result.memory
    assert memory.peak_rss_bytes >= memory.rss_after_load_bytes > 0 and memory.rss_before_load_bytes > 0


def test_min_seconds_keeps_the_loop_going(shell, models):
    message, files = _message(models[shell.case], *shell.case, min_iterations=1, min_seconds=0.3)
    begin = time.monotonic()
    result = shell.run(message, files)
    assert result.status == "ok" and time.monotonic() - begin >= 0.3 and len(result.timing.samples_ns) >= 1


def test_a_corrupt_model_is_a_load_failure_not_a_hang(shell, models, tmp_path):
    message, files = _message(models[shell.case], *shell.case)
    corrupt = tmp_path / "corrupt.bin"
    corrupt.write_bytes(b"this is not a flatbuffer" * 10)
    result = shell.run(message, {**files, message["model"]["path"]: corrupt})
    assert result.status == "load_failed" and result.error
    assert result.delegate_applied is None and result.timing.samples_ns == ()


def test_an_unavailable_delegate_is_an_error_never_a_fallback(shell, models):
    message, files = _message(models[shell.case], *shell.case)
    result = shell.run({**message, "delegate": "coreml"}, files)
    assert result.status == "load_failed" and "coreml" in result.error and result.delegate_applied is None


def test_inputs_that_do_not_match_are_a_bad_request(shell, models, tmp_path):
    message, files = _message(models[shell.case], *shell.case)
    short = tmp_path / "short.bin"
    short.write_bytes(b"\0" * 12)
    result = shell.run(message, {**files, "input0.bin": short})
    assert result.status == "bad_request" and "input0.bin" in result.error


def test_another_protocol_version_is_a_bad_request(shell, models):
    message, files = _message(models[shell.case], *shell.case)
    result = shell.run({**message, "protocol_version": 99}, files)
    assert result.status == "bad_request" and "protocol_version" in result.error
