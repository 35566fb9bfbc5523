from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

# Conversion workers import test factories as "tests.fixtures.tiny_models:...", relative to the working directory.
os.chdir(REPO)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))



def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Any adb server a test starts (directly or through `harness devices`) listens on a private port, never on
# the user's 5037; except under `make test-device`, whose phone is reached through the user's own server.
ON_A_PHONE = bool(os.environ.get("HARNESS_TEST_DEVICE"))
if not ON_A_PHONE:
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(_free_port())
if shutil.which("adb"):
    os.environ["ADBUTILS_ADB_PATH"] = shutil.which("adb")


@pytest.fixture(scope="session", autouse=True)
def _stop_private_adb_server():
    yield
    if shutil.which("adb") and not ON_A_PHONE:
        subprocess.run(["adb", "kill-server"], capture_output=True, timeout=30)


def require(module: str):
    """Import a dependency; in CI a missing one fails the test instead of skipping it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if IN_CI:
            pytest.fail(f"{module} is missing in CI: {error}")
        pytest.skip(f"{module} is not installed")


@pytest.fixture
def write_matrix(tmp_path):
    def write(text: str, name: str = "matrix.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def adb_server():
    """Debian's adb server, on the private port set above in ANDROID_ADB_SERVER_PORT."""
    if shutil.which("adb") is None:
        if IN_CI:
            pytest.fail("adb is missing in CI; `make test` installs Debian's adb package")
        pytest.skip("adb is not installed (apt-get install adb)")
    subprocess.run(["adb", "start-server"], check=True, capture_output=True, timeout=30)
    return os.environ["ANDROID_ADB_SERVER_PORT"]


@pytest.fixture
def phone(adb_server, tmp_path):
    """An emulated Android phone (tests/fixtures/phone/), connected to the adb server."""
    from tests.fixtures.phone.adbd import EmulatedPhone

    emulated = EmulatedPhone(tmp_path / "phone")
    emulated.start()
    subprocess.run(["adb", "connect", f"127.0.0.1:{emulated.port}"], check=True, capture_output=True, timeout=30)
    yield emulated
    subprocess.run(["adb", "disconnect", f"127.0.0.1:{emulated.port}"], capture_output=True, timeout=30)
    emulated.stop()


RUNTIME_MODULES = ("torch", "executorch", "ai_edge_litert", "litert_torch", "tensorflow")


@pytest.fixture(scope="session")
def golden_run(tmp_path_factory, cache_dir) -> tuple[subprocess.CompletedProcess, Path]:
    """`harness bench` of tests/golden/matrix.yaml, once per session: the golden rows and the report read it."""
    for module in RUNTIME_MODULES:
        require(module)
    results_dir = tmp_path_factory.mktemp("golden") / "results"
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache_dir)}  # shared with other tests: from_cache is not compared
    command = [sys.executable, "-m", "harness", "bench", "--matrix", str(REPO / "tests/golden/matrix.yaml"),
               "--results", str(results_dir)]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=1800)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed, results_dir


# pymobiledevice3 reaches usbmuxd at USBMUXD_SOCKET_ADDRESS: tests never reach the user's own usbmuxd (a private
# path with nothing behind it, unless a test starts the emulated iPhone there), except under `make test-device`.
if not ON_A_PHONE and "mb-usbmux-" not in os.environ.get("USBMUXD_SOCKET_ADDRESS", ""):  # set once, however imported
    os.environ["USBMUXD_SOCKET_ADDRESS"] = os.path.join(tempfile.mkdtemp(prefix="mb-usbmux-"), "none")


@pytest.fixture
def iphone(monkeypatch, tmp_path):
    """An emulated iPhone (tests/fixtures/iphone/): its usbmuxd and lockdownd on the wire, on a private unix socket
    that USBMUXD_SOCKET_ADDRESS names for this process and the harness processes it starts; and an emulated tunneld.
    The service layer is installed where the harness runs (`emulated_iphone_services`, or harness_main.py)."""
    require("pymobiledevice3")
    from tests.fixtures.iphone.state import Sandbox
    from tests.fixtures.iphone.tunneld import start_tunneld
    from tests.fixtures.iphone.usbmuxd import EmulatedUsbmuxd

    sandbox = Sandbox(tmp_path / "iphone").create()
    usbmuxd = EmulatedUsbmuxd(sandbox, Path(tempfile.mkdtemp(prefix="mb-usbmux-")) / "usbmuxd")  # unix paths are short
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", usbmuxd.start())
    monkeypatch.setenv("IPHONE_ROOT", str(sandbox.root))
    tunneld = start_tunneld()
    sandbox.tunneld = f"127.0.0.1:{tunneld.server_address[1]}"
    sandbox.usbmuxd = usbmuxd
    yield sandbox
    tunneld.shutdown()
    usbmuxd.stop()


@pytest.fixture
def emulated_iphone_services(iphone):
    """The autospecced service layer in this process, for tests that drive IosDevice directly."""
    from tests.fixtures.iphone import services

    installed = services.install(iphone)
    yield installed
    installed.uninstall()
