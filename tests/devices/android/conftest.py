"""A real adb server on a private port, and an emulated phone connected to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.phone.adbd import EmulatedPhone
from tests.fixtures.phone.fake_tools import TOOLS, write_tool
from tests.conftest import IN_CI


@pytest.fixture(scope="session")
def adb_server():
    """Debian's adb server, on the private port tests/conftest.py set in ANDROID_ADB_SERVER_PORT."""
    if shutil.which("adb") is None:
        if IN_CI:
            pytest.fail("adb is missing in CI; `make test` installs Debian's adb package")
        pytest.skip("adb is not installed (apt-get install adb)")
    subprocess.run(["adb", "start-server"], check=True, capture_output=True, timeout=30)
    return os.environ["ANDROID_ADB_SERVER_PORT"]


@pytest.fixture
def phone(adb_server, tmp_path):
    emulated = EmulatedPhone(tmp_path / "phone")
    emulated.start()
    subprocess.run(["adb", "connect", f"127.0.0.1:{emulated.port}"], check=True, capture_output=True, timeout=30)
    yield emulated
    subprocess.run(["adb", "disconnect", f"127.0.0.1:{emulated.port}"], capture_output=True, timeout=30)
    emulated.stop()


@pytest.fixture
def devices_file(phone, tmp_path) -> Path:
    tools = tmp_path / "tools"
    tools.mkdir()
    paths = {name: write_tool(tools, name) for name in TOOLS}
    path = tmp_path / "devices.yaml"
    path.write_text(
        f"pixel:\n  platform: android\n  serial: 127.0.0.1:{phone.port}\n  mode: app\n"
        f"  tools:\n" + "".join(f"    {name}: {p}\n" for name, p in paths.items()))
    return path
