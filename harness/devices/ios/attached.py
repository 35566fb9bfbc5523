"""What `harness devices` says about the iPhones and iPads usbmuxd lists."""

from __future__ import annotations

from harness.devices.ios import reports
from harness.devices.ios.developer import developer_mode, image_mounted
from harness.devices.ios.link import IphoneLink, attached_udids
from harness.errors import HarnessError


def describe_attached() -> list[str]:
    try:
        udids = attached_udids()
    except HarnessError as error:
        return [f"(cannot ask usbmuxd: {error})"]
    lines = []
    for udid, connection in udids.items():
        try:
            lines.append(f"{udid}: {describe(udid)} ({connection})")
        except HarnessError as error:
            lines.append(f"{udid}: {error}")
    return lines


def describe(udid: str) -> str:
    link = IphoneLink(udid)
    try:
        values, battery = link.values(), reports.parse_battery(link.battery())
        mode = link.call(lambda: _developer_mode(link), "reading developer mode")
        mounted = link.call(lambda: image_mounted(link), "asking for the developer disk image")
    finally:
        link.close()
    heat = f" at {battery.temperature_c:.1f} C" if battery.temperature_c is not None else ""
    charge = (f"battery {battery.level_pct:.0f}%{heat}{', charging' if battery.charging else ''}"
              if battery.level_pct is not None else "battery unknown")
    developer = {True: "on", False: "off", None: "not needed before iOS 16"}[mode]
    return (f"{reports.model_name(values)}, {reports.os_name(values)}, {charge}, developer mode {developer}, "
            f"developer disk image {'mounted' if mounted else 'not mounted'}, thermal state read by the app in each cell")


async def _developer_mode(link: IphoneLink) -> bool | None:
    return await developer_mode(await link.lockdown())
