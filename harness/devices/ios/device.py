"""An iPhone or iPad over usbmux: facts, battery state, and cells run in the project's iOS app."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from harness.devices.base import Launch
from harness.devices.ios import reports
from harness.devices.ios.app_mode import IosAppRunner
from harness.devices.ios.developer import Tunneld
from harness.devices.ios.link import IphoneLink
from harness.devices.phone import PhoneDevice
from harness.devices.readings import refused_fields
from harness.devices.state import DeviceState
from harness.errors import DeviceError
from harness.protocol import Request, Result
from harness.runtime_size import RuntimeBinary

BATTERY_SOURCE = "IOPMPowerSource (diagnostics_relay)"


def parse_tunneld(address: str) -> Tunneld:
    host, _, port = address.rpartition(":")
    return Tunneld(host, int(port))


class IosDevice(PhoneDevice):
    platform = "ios"
    # What ShellCore's iosDelegates offers across the runtimes; each runtime's own list narrows it.
    delegates = frozenset({"none", "xnnpack", "coreml", "mps", "metal"})

    def __init__(self, name: str, entry, mode: str | None = None):
        super().__init__(name)
        self.entry = entry
        self.mode = mode or "app"
        if self.mode != "app":
            raise DeviceError(f"device {name} runs cells in the iOS app (mode app), not {self.mode!r}")
        self.tunneld = parse_tunneld(entry.tunneld)
        self._runner: IosAppRunner | None = None

    @property
    def link(self) -> IphoneLink:
        if self._link is None:
            self._link = IphoneLink(self.entry.udid)
        return self._link

    def settings(self) -> dict[str, str]:
        return {"udid": self.entry.udid, "mode": self.mode}

    # -- what it is --------------------------------------------------------------------------------------
    def facts(self) -> dict[str, str | int | float | None]:
        values = self.retried(self.link.values, "reading the device's values")
        return {
            "device_model": reports.model_name(values), "serial": self.link.udid,
            "soc": values.get("HardwareModel"), "abi": "arm64", "os": reports.os_name(values),
            "cpu_count": None, "memory_bytes": None, "execution_mode": self.mode,
        }

    def state(self) -> DeviceState:
        """The battery's level, charging and temperature. iOS shows no other temperature outside an app, so the
        battery's is also the state's temperature, which the cooldown gate waits on as it does on Android."""
        battery = reports.parse_battery(self.retried(self.link.battery, "reading the battery"))
        state = DeviceState(taken_at=time.monotonic(), battery_level_pct=battery.level_pct,
                            battery_temperature_c=battery.temperature_c, temperature_c=battery.temperature_c,
                            battery_charging=battery.charging)
        readings = {name: getattr(state, name) for name in ("battery_level_pct", "battery_temperature_c", "temperature_c")}
        emptied, refused = refused_fields(readings, dict.fromkeys(readings, BATTERY_SOURCE))
        return replace(state, **emptied, refused=refused)

    def cpu_affinity(self, requested: tuple[int, ...] | None) -> tuple[int, ...] | None:
        return None  # nothing outside an iOS app can pin it to cores

    def runtime_binary(self, runtime: str, mode: str | None = None) -> RuntimeBinary | None:
        return self._runner.runtime_binary(runtime) if self._runner is not None else None

    # -- runs --------------------------------------------------------------------------------------------
    def open_run(self, run_id: str) -> None:
        self._runner = IosAppRunner(self.link, self.tunneld, run_id, self.entry.app, self.note)
        self.retried(self._runner.prepare, "preparing the iOS app")

    def reachable(self) -> bool:
        try:
            self.link.reconnect()
            return True
        except DeviceError:
            return False

    def close_run(self) -> None:
        if self._runner is not None and self._link is not None:
            self._runner.cleanup()
        self._runner = None
        if self._link is not None:
            self._link.close()
            self._link = None

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        runner = self._runner
        if runner is None:
            raise DeviceError("open_run() must come before run()")
        return self.retried(lambda: runner.run(request, files, launch), f"cell {request.cell_id[:8]}")
