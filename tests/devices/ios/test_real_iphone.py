"""On a real iPhone (`make test-device DEVICE=iphone`, one attached, unlocked and trusted): never in CI."""

from __future__ import annotations

import os

import pytest

from harness.devices.inventory import open_device
from tests.conftest import REPO

pytestmark = pytest.mark.device


@pytest.fixture
def real_iphone():
    alias = os.environ.get("HARNESS_TEST_DEVICE", "iphone")
    device = open_device(alias, REPO / "configs/devices.yaml")
    if device.platform != "ios":
        pytest.skip(f"{alias} is not an iPhone")
    yield device
    device.close_run()


def test_facts_and_state_are_read(real_iphone):
    facts, state = real_iphone.facts(), real_iphone.state()
    assert facts["os"].startswith("iOS ") and facts["device_model"] and facts["abi"] == "arm64"
    assert state.battery_level_pct is not None and state.battery_charging is not None


def test_the_app_is_ready_and_its_container_reachable(real_iphone):
    real_iphone.open_run("pytest-probe")  # installs the app when needed, reaches process control
    link = real_iphone.link
    assert link.installed_version("org.mobilebench.shell") is not None
    real_iphone.close_run()
