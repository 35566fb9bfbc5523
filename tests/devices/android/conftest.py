"""A devices file naming the emulated phone (tests/conftest.py starts the phone and the adb server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.phone.fake_tools import TOOLS, write_tool


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
