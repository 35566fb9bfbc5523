from __future__ import annotations

import pytest

from harness.devices.host import HostDevice
from harness.devices.inventory import device_aliases, open_device
from harness.errors import ConfigError, UnknownNameError


def test_host_is_built_in_without_a_devices_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert device_aliases(None) == {"host": "host"}
    assert isinstance(open_device("host"), HostDevice)


def test_aliases_come_from_the_devices_file(tmp_path):
    path = tmp_path / "devices.yaml"
    path.write_text("laptop:\n  platform: host\n")
    assert device_aliases(path) == {"host": "host", "laptop": "host"}
    assert open_device("laptop", path).name == "laptop"


def test_bad_devices_file_names_the_line(tmp_path):
    path = tmp_path / "devices.yaml"
    path.write_text("laptop:\n  platform: host\nphone:\n  platfrom: android\n")
    with pytest.raises(ConfigError, match=r"devices.yaml:4: phone.platfrom: unknown key; did you mean 'platform'\?"):
        device_aliases(path)


def test_unknown_alias_suggests(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnknownNameError, match="did you mean 'host'"):
        open_device("hots")


def test_a_devices_file_named_but_absent_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="absent.yaml: devices file not found"):
        open_device("host", tmp_path / "absent.yaml")


def test_host_facts_describe_this_machine():
    facts = HostDevice("host").facts()
    assert facts["cpu_count"] >= 1 and facts["device_model"] and facts["memory_bytes"] > 0


def test_the_shipped_pixel_alias_is_an_android_phone_in_app_mode_and_needs_no_phone_to_open():
    from harness.devices.android.device import AndroidDevice
    from tests.conftest import REPO

    pixel = open_device("pixel", REPO / "configs/devices.yaml")
    assert isinstance(pixel, AndroidDevice) and pixel.entry.serial == "auto" and pixel.mode == "app"
    assert open_device("pixel", REPO / "configs/devices.yaml", mode="cli").mode == "cli"
    assert open_device("host", REPO / "configs/devices.yaml", mode="cli").mode == "process"  # one way only


def test_android_entries_are_checked(tmp_path):
    path = tmp_path / "devices.yaml"
    path.write_text("phone:\n  platform: android\n  mode: shell\n")
    with pytest.raises(ConfigError, match=r"devices.yaml:3: phone.mode: Input should be 'app' or 'cli'"):
        open_device("phone", path)
    path.write_text("phone:\n  platform: android\n  work_folder: /data/local/tmp/x;rm -rf /\n")
    with pytest.raises(ConfigError, match="phone.work_folder"):
        open_device("phone", path)
