"""IosDevice on the emulated iPhone, in this process: facts, state, and each missing prerequisite as one line."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from harness.devices.inventory import IosEntry
from harness.errors import ConfigError, DeviceError
from tests.conftest import _free_port, require
from tests.fixtures.iphone.state import BUNDLE_ID, UDID


def _device(iphone, **settings):
    from harness.devices.ios.device import IosDevice

    return IosDevice("iphone", IosEntry(platform="ios", **{"tunneld": iphone.tunneld, **settings}))


def test_facts_and_state_come_from_lockdown_and_the_battery(iphone, emulated_iphone_services):
    device = _device(iphone)
    facts, state = device.facts(), device.state()
    assert facts["device_model"] == "Test iPhone (iPhone15,2)" and facts["serial"] == UDID
    assert facts["os"] == "iOS 17.5 (21F79)" and facts["abi"] == "arm64" and facts["execution_mode"] == "app"
    assert state.battery_level_pct == 85.0 and state.battery_charging is True
    assert state.battery_temperature_c == 29.5 == state.temperature_c  # what the cooldown gate waits on
    device.close_run()


def test_an_impossible_battery_reading_is_refused(iphone, emulated_iphone_services):
    iphone.change(battery={"CurrentCapacity": 85, "MaxCapacity": 100, "IsCharging": False, "Temperature": 42000})
    state = _device(iphone).state()
    assert state.temperature_c is None and state.battery_temperature_c is None
    assert any("420 °C from IOPMPowerSource" in note for note in state.refused)


@pytest.mark.parametrize("change, expected", [
    ({"paired": False}, "is not paired with this computer, or no longer trusts it"),
    ({"trusted": False}, "tap Trust"),
    ({"developer_mode": False}, "developer mode is off"),
    ({"image_mounted": False}, "`pymobiledevice3 mounter auto-mount`"),
    ({"apps": {}}, "is not installed on 00008110-000A1B2C3D4E5F60, and there is no app at"),
])
def test_each_missing_prerequisite_is_one_line_that_says_what_to_do(iphone, emulated_iphone_services, tmp_path,
                                                                    change, expected):
    iphone.change(**change)
    device = _device(iphone, app=tmp_path / "missing.app")
    with pytest.raises(DeviceError) as raised:
        device.open_run("run-1")
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_without_tunneld_ios_17_says_how_to_start_it(iphone, emulated_iphone_services):
    with pytest.raises(DeviceError, match=r"start it with `sudo pymobiledevice3 remote tunneld`"):
        _device(iphone, tunneld=f"127.0.0.1:{_free_port()}").open_run("run-1")


def test_older_ios_goes_through_lockdown_without_a_tunnel(iphone, emulated_iphone_services):
    iphone.change(values={**iphone.read()["values"], "ProductVersion": "16.7"})
    device = _device(iphone, tunneld=f"127.0.0.1:{_free_port()}")  # no tunneld: not needed before iOS 17
    device.open_run("run-1")
    device.close_run()


def test_no_iphone_and_several_are_clear(iphone, emulated_iphone_services):
    from harness.devices.ios.link import resolve_udid

    iphone.change(attached=False)
    with pytest.raises(DeviceError, match="no iPhone attached"):
        _device(iphone).facts()
    with pytest.raises(ConfigError, match="set `udid:`"):
        resolve_udid("auto", {"a" * 25: "USB", "b" * 25: "USB"})


def _app_folder(folder: Path, version: str) -> Path:
    app = folder / "MobileBenchShell.app"
    app.mkdir(parents=True)
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": BUNDLE_ID, "CFBundleVersion": version,
                                                     "CFBundleExecutable": "MobileBenchShell"}))
    return app


def test_a_missing_app_is_installed_from_the_app_folder(iphone, emulated_iphone_services, tmp_path):
    iphone.change(apps={})
    device = _device(iphone, app=_app_folder(tmp_path, "1"))
    device.open_run("run-1")
    assert iphone.read()["apps"] == {BUNDLE_ID: "1"}
    assert "installed org.mobilebench.shell (CFBundleVersion 1, was None)" in device.take_notes()
    device.close_run()


def test_an_app_folder_older_than_ios_app_is_refused(iphone, emulated_iphone_services, tmp_path):
    iphone.change(apps={BUNDLE_ID: "0"})
    with pytest.raises(DeviceError, match=r"older than ios-app/app.json \(CFBundleVersion 0 < 1\)"):
        _device(iphone, app=_app_folder(tmp_path, "0")).open_run("run-1")


def _run_one_cell(device):
    """A cell's launch on an open run: the request is pushed, the app launched (a refused one raises)."""
    from harness.devices.base import Launch

    return device._runner.run_message({"cell_id": "cell-1"}, {}, Launch(timeout_seconds=5))


def test_a_launch_the_iphone_refuses_fails_with_its_reason(iphone, emulated_iphone_services):
    iphone.change(launch_refusal="Unable to launch org.mobilebench.shell because the device was not, or could not "
                                 "be, unlocked.")
    device = _device(iphone)
    device.open_run("run-1")
    try:
        with pytest.raises(DeviceError) as raised:
            _run_one_cell(device)
    finally:
        device.close_run()
    message = str(raised.value)
    assert message.startswith("DVT did not launch org.mobilebench.shell: Unable to launch")
    assert "could not be, unlocked." in message and "(unlock the iPhone;" in message and "\n" not in message


def test_a_container_house_arrest_will_not_vend_names_the_signing(iphone, emulated_iphone_services):
    iphone.change(vend_refusal="InstallationLookupFailed")
    device = _device(iphone)
    device.open_run("run-1")
    try:
        with pytest.raises(DeviceError, match=r"would not vend the container of org.mobilebench.shell "
                                              r"\(InstallationLookupFailed\): the app must be signed for development"):
            _run_one_cell(device)
    finally:
        device.close_run()


def test_the_tunnel_connection_closes_with_the_run(iphone, emulated_iphone_services):
    device = _device(iphone)
    device.open_run("run-1")
    device.close_run()
    opened = emulated_iphone_services.rsds
    assert len(opened) == 1 and opened[0].close.await_count == 1


def test_a_udid_given_without_its_dash_finds_the_tunnel_under_the_device_id(iphone, emulated_iphone_services):
    """The emulated tunneld lists the tunnel under the UniqueDeviceID, with its dash; usbmux matches either form."""
    device = _device(iphone, udid=UDID.replace("-", ""))
    device.open_run("run-1")
    device.close_run()
    assert len(emulated_iphone_services.rsds) == 1


def test_a_tunnel_that_does_not_answer_is_one_line(iphone, emulated_iphone_services):
    iphone.change(tunnel_answers=False)
    with pytest.raises(DeviceError, match=r"lists a tunnel to 00008110-000A1B2C3D4E5F60 that does not answer: "
                                          r"restart `sudo pymobiledevice3 remote tunneld`"):
        _device(iphone).open_run("run-1")


def test_a_phone_on_usb_and_on_wifi_is_one_device_named_by_usb(monkeypatch):
    require("pymobiledevice3")
    from pymobiledevice3.usbmux import MuxDevice

    from harness.devices.ios import link

    async def listed(usbmux_address=None):
        return [MuxDevice(1, UDID, "USB"), MuxDevice(2, UDID, "Network"), MuxDevice(3, "b" * 24, "Network")]

    monkeypatch.setattr(link.usbmux, "list_devices", listed)
    assert link.attached_udids() == {UDID: "USB", "b" * 24: "Network"}


def test_a_local_disk_image_counts_only_with_its_signature(monkeypatch, tmp_path):
    require("pymobiledevice3")
    from harness.devices.ios import developer

    monkeypatch.setattr(developer, "XCODE_IMAGES", tmp_path)
    image = tmp_path / "16.7" / "DeveloperDiskImage.dmg"
    image.parent.mkdir()
    image.write_bytes(b"image")
    assert developer.local_image("16.7.2") is None  # auto_mount would fail reading the missing signature
    image.with_name("DeveloperDiskImage.dmg.signature").write_bytes(b"signature")
    assert developer.local_image("16.7.2") == image


def test_a_cell_run_in_low_power_mode_says_so_in_its_warnings():
    require("pymobiledevice3")
    import json

    from harness.devices.base import Launch
    from harness.devices.ios.app_mode import IosAppRunner
    from harness.devices.ios.developer import Tunneld
    from harness.protocol import Request, Result
    from tests.conftest import REPO

    fixtures = REPO / "ios-app/ShellCore/Tests/ShellCoreTests/Fixtures"
    request = Request.from_json(json.loads((fixtures / "request_ok.json").read_text()))
    answer = json.loads((fixtures / "result_ok.json").read_text())
    notes: list[str] = []
    runner = IosAppRunner(link=None, tunneld=Tunneld(), run_id="run-1", app=None, note=notes.append)
    for low_power in (False, True):
        result = Result.from_json({**answer, "shell": {**answer["shell"], "low_power_mode": low_power}})
        runner.run_message = lambda message, files, launch, result=result: result
        runner.run(request, {}, Launch())
    assert notes == ["low-power mode was on: iOS lowers the CPU's clocks in it, so these numbers are not comparable"]
