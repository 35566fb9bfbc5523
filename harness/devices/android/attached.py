"""What `harness devices` says about the phones the adb server sees."""

from __future__ import annotations

from harness.devices.android.link import adb_client, attached_serials
from harness.errors import HarnessError


def describe_attached() -> list[str]:
    from harness.devices.android.device import AndroidDevice
    from harness.devices.inventory import AndroidEntry

    try:
        serials = attached_serials(adb_client())
    except HarnessError as error:
        return [f"(cannot ask adb: {error})"]
    lines = []
    for serial, state in serials.items():
        if state != "device":
            lines.append(f"{serial}: {state}" + (" (accept the USB debugging prompt on the phone)"
                                                 if state == "unauthorized" else ""))
            continue
        try:
            device = AndroidDevice(serial, AndroidEntry(platform="android", serial=serial))
            facts, now = device.facts(), device.state()
        except HarnessError as error:
            lines.append(f"{serial}: {error}")
            continue
        heat = f" at {now.battery_temperature_c} C" if now.battery_temperature_c is not None else ""
        battery = (f"battery {now.battery_level_pct:.0f}%{heat}"
                   f"{', charging' if now.battery_charging else ''}" if now.battery_level_pct is not None else "battery unknown")
        lines.append(f"{serial}: {facts['device_model']}, SoC {facts['soc']}, {facts['abi']}, {facts['os']}, {battery}, "
                     f"thermal status {now.thermal_status or 'unknown'}")
    return lines
