"""A devices file naming the emulated iPhone (tests/conftest.py starts its usbmuxd, lockdownd and tunneld)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def devices_file(iphone, tmp_path) -> Path:
    path = tmp_path / "devices.yaml"
    path.write_text(f"iphone:\n  platform: ios\n  udid: auto\n  tunneld: {iphone.tunneld}\n")
    return path
