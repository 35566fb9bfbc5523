"""On a real phone (`make test-device DEVICE=pixel`, one phone attached): never in CI."""

from __future__ import annotations

import os

import pytest

from harness.devices.inventory import device_aliases, open_device
from tests.conftest import REPO

pytestmark = pytest.mark.device


@pytest.fixture
def real_phone():
    alias = os.environ.get("HARNESS_TEST_DEVICE", "pixel")
    if device_aliases(REPO / "configs/devices.yaml").get(alias) != "android":  # an iPhone alias takes no cli mode
        pytest.skip(f"{alias} is not an Android phone")
    return open_device(alias, REPO / "configs/devices.yaml", mode="cli")  # cli mode without tools needs no app


def test_facts_and_state_are_read(real_phone):
    facts, state = real_phone.facts(), real_phone.state()
    assert facts["abi"] and facts["os"].startswith("Android") and facts["cpu_count"] >= 1
    assert state.battery_level_pct is not None and state.cpu_freq_mhz and state.governors
    assert real_phone.big_cores()


def test_push_verify_and_clean_up(real_phone, tmp_path):
    local = tmp_path / "probe.bin"
    local.write_bytes(os.urandom(1 << 20))
    real_phone.open_run("pytest-probe")
    try:
        real_phone.link.push(local, f"{real_phone.run_folder}/probe.bin")
    finally:
        real_phone.close_run()
    assert not real_phone.link.exists("/data/local/tmp/mobile-bench/pytest-probe")
