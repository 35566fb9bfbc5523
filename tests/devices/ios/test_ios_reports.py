"""Reading an iPhone's values and IORegistry, and the app's version rules, without a device."""

from __future__ import annotations

import plistlib
import zipfile

import pytest

from harness.devices.ios import app_build, reports
from harness.errors import DeviceError
from tests.conftest import REPO


def test_the_battery_is_read_from_its_power_source_entry():
    battery = reports.parse_battery({"CurrentCapacity": 40, "MaxCapacity": 80, "IsCharging": False, "Temperature": 3125})
    assert battery == reports.Battery(50.0, False, 31.25)
    assert reports.parse_battery(None) == reports.Battery(None, None, None)
    assert reports.parse_battery({"CurrentCapacity": 40}) == reports.Battery(None, None, None)  # no scale, no level


def test_names_say_what_the_owner_called_it_and_what_it_is():
    values = {"DeviceName": "Lab phone", "ProductType": "iPhone14,5", "ProductVersion": "16.7.2", "BuildVersion": "20H115"}
    assert reports.model_name(values) == "Lab phone (iPhone14,5)"
    assert reports.model_name({"ProductType": "iPad13,1"}) == "iPad13,1"
    assert reports.os_name(values) == "iOS 16.7.2 (20H115)"


@pytest.mark.parametrize("installed, wanted, older", [
    (None, "1", True), ("1", "1", False), ("2", "1", False), ("1", "2", True), ("1.9", "1.10", True), ("beta", "1", True),
])
def test_an_installed_app_is_older_by_its_dotted_version(installed, wanted, older):
    assert app_build.older(installed, wanted) is older


def test_the_version_is_read_from_an_app_folder_or_an_ipa(tmp_path):
    info = plistlib.dumps({"CFBundleIdentifier": "org.mobilebench.shell", "CFBundleVersion": "3"})
    app = tmp_path / "MobileBenchShell.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(info)
    ipa = tmp_path / "MobileBenchShell.ipa"
    with zipfile.ZipFile(ipa, "w") as archive:
        archive.writestr("Payload/MobileBenchShell.app/Info.plist", info)
        archive.writestr("Payload/MobileBenchShell.app/Frameworks/X.framework/Info.plist", b"not ours")
    assert app_build.package_version(app) == "3" == app_build.package_version(ipa)
    (tmp_path / "broken.ipa").write_bytes(b"not a zip")
    with pytest.raises(DeviceError, match="cannot read the app's version"):
        app_build.package_version(tmp_path / "broken.ipa")


def test_the_bundle_id_and_version_come_from_ios_app():
    facts = app_build.source_app()
    assert facts.bundle_id == "org.mobilebench.shell" and facts.version.isdigit()


def test_the_device_and_the_runtimes_offer_exactly_what_shellcore_applies():
    import re

    from harness.devices.ios.device import IosDevice
    from harness.runtimes import runtime

    core = (REPO / "ios-app/ShellCore/Sources/ShellCore/Session.swift").read_text()
    table = {name: set(re.findall(r'"(\w+)"', listed)) for name, listed in
             re.findall(r'"(\w+)": \[([^\]]*)\]', core.split("iosDelegates")[1].split("]\n")[0] + "]")}
    assert set().union(*table.values()) == IosDevice.delegates
    for name, delegates in table.items():
        assert delegates <= set(runtime(name).delegates) and "ios" in runtime(name).platforms
