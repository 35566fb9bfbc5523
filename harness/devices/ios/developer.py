"""The developer services an app launch needs: the disk image, the RSD tunnel from iOS 17, DVT process control,
and the app's syslog lines.

iOS 17 and newer serve DVT only through RemoteServiceDiscovery over a tunnel, which needs root to create: the
harness asks a running `tunneld` for it (`sudo pymobiledevice3 remote tunneld`). Older iOS serves DVT through
lockdown once the developer disk image is mounted; the harness mounts it from a local Xcode when missing, and
otherwise says how to (pymobiledevice3's own auto-mount downloads the image, which a run never does).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from packaging.version import Version
from pymobiledevice3 import exceptions as pmd3
from pymobiledevice3.dtx import DTXNsError
from pymobiledevice3.services.dvt.instruments.dvt_provider import DvtProvider
from pymobiledevice3.services.dvt.instruments.process_control import ProcessControl
from pymobiledevice3.services.mobile_image_mounter import MobileImageMounterService, auto_mount
from pymobiledevice3.services.os_trace import OsTraceService
from pymobiledevice3.tunneld.api import get_tunneld_device_by_udid

from harness.devices.ios.link import IphoneLink, ns_error_text
from harness.errors import DeviceError

TUNNEL_FROM = Version("17.0")
DEVELOPER_MODE_FROM = Version("16.0")  # before, there is no such mode (nor its lockdown value)
LOG_PREFIX = "MobileBench:"  # what the app's NSLog lines start with (ios-app/MobileBenchShell/Launcher.swift)
OPEN_TIMEOUT = 120.0  # reaching process control the first time may mount the disk image (tens of MB over USB)
XCODE_IMAGES = Path("/Applications/Xcode.app/Contents/Developer/Platforms/iPhoneOS.platform/DeviceSupport")
TAP_READY_SECONDS = 10.0  # how long a cell waits for the log stream's connection before launching anyway


@dataclass(frozen=True)
class Tunneld:
    host: str = "127.0.0.1"
    port: int = 49151  # tunneld's default

    def start_line(self) -> str:
        return (f"iOS 17 and newer need pymobiledevice3's tunnel, and no tunneld answers at {self.host}:{self.port}: "
                "start it with `sudo pymobiledevice3 remote tunneld` and run again")


def needs_tunnel(product_version: str) -> bool:
    return Version(product_version) >= TUNNEL_FROM


async def developer_mode(lockdown: Any) -> bool | None:
    """Whether developer mode is on; None before iOS 16, which has none."""
    if Version(lockdown.product_version) < DEVELOPER_MODE_FROM:
        return None
    return await lockdown.get_developer_mode_status()


def image_type(product_version: str) -> str:
    return "Personalized" if needs_tunnel(product_version) else "Developer"


async def image_mounted(link: IphoneLink) -> bool:
    lockdown = await link.lockdown()
    mounter = MobileImageMounterService(lockdown=lockdown)
    try:
        return await mounter.is_image_mounted(image_type(lockdown.product_version))
    finally:
        await mounter.close()


def local_image(product_version: str) -> Path | None:
    """Xcode's developer disk image for this iOS version (iOS 16 and older), when Xcode is installed here with the
    image and its signature (auto_mount mounts both; with the image alone it would fail reading the signature)."""
    version = Version(product_version)
    image = XCODE_IMAGES / f"{version.major}.{version.minor}" / "DeveloperDiskImage.dmg"
    return image if image.is_file() and image.with_name(f"{image.name}.signature").is_file() else None


async def ensure_image(link: IphoneLink) -> None:
    """Mount the developer disk image when it is missing and Xcode has it here; otherwise one line saying how."""
    if await image_mounted(link):
        return
    lockdown = await link.lockdown()
    version = lockdown.product_version
    if needs_tunnel(version) or local_image(version) is None:
        raise DeviceError(f"the developer disk image is not mounted on {link.udid} (iOS {version}): run "
                          "`pymobiledevice3 mounter auto-mount` (it downloads the image), or open Xcode with the "
                          "iPhone attached, then run again")
    await auto_mount(lockdown)


async def developer_provider(link: IphoneLink, tunneld: Tunneld) -> Any:
    """Where DVT is reached: the RSD tunnel from iOS 17 on, lockdown before."""
    lockdown = await link.lockdown()
    if await developer_mode(lockdown) is False:
        raise DeviceError(f"developer mode is off on {link.udid}: turn it on in Settings > Privacy & Security > "
                          "Developer Mode (the iPhone restarts), then run again")
    await ensure_image(link)
    if not needs_tunnel(lockdown.product_version):
        return lockdown
    # tunneld names a tunnel by the usbmux serial or by the device's UniqueDeviceID: ask for both when they differ
    # (a configured udid without the dash usbmuxd writes, say).
    names = dict.fromkeys([link.udid, str(lockdown.all_values.get("UniqueDeviceID") or link.udid)])
    for name in names:
        try:
            rsd = await get_tunneld_device_by_udid(name, (tunneld.host, tunneld.port))
        except pmd3.TunneldConnectionError:
            raise DeviceError(tunneld.start_line()) from None
        except IndexError:  # tunneld lists the tunnel, but none of its addresses answered
            raise DeviceError(f"tunneld at {tunneld.host}:{tunneld.port} lists a tunnel to {link.udid} that does not "
                              "answer: restart `sudo pymobiledevice3 remote tunneld`") from None
        except requests.exceptions.JSONDecodeError as error:  # not tunneld's JSON: something else listens there
            raise DeviceError(f"what answers at {tunneld.host}:{tunneld.port} is not tunneld ({error}): "
                              f"{tunneld.start_line()}") from None
        if rsd is not None:
            return rsd
    raise DeviceError(f"tunneld at {tunneld.host}:{tunneld.port} has no tunnel to {link.udid}: check that the "
                      "iPhone is attached and trusted, and restart `sudo pymobiledevice3 remote tunneld`")


class ProcessControlSession:
    """DVT process control for one run: launch the app with arguments, ask whether it runs, kill it."""

    def __init__(self, link: IphoneLink, tunneld: Tunneld):
        self.link, self.tunneld = link, tunneld
        self._rsd: Any = None  # the RemoteServiceDiscovery connection tunneld's client opened (iOS 17 and newer)
        self._provider: Any = None
        self._control: Any = None
        self._generation = -1  # the link's generation this session's connection was opened in

    async def control(self) -> Any:
        if self._control is None or self._generation != self.link.generation:
            await self.close()
            where = await developer_provider(self.link, self.tunneld)
            self._rsd = None if where is await self.link.lockdown() else where
            provider = DvtProvider(where)
            self._provider = provider
            await provider.connect()
            control = ProcessControl(provider)
            await control.connect()
            self._control, self._generation = control, self.link.generation
        return self._control

    async def launch(self, bundle_id: str, arguments: list[str]) -> int:
        """The launched process's pid. A launch the iPhone refuses (locked, the developer not trusted) comes back
        as an NSError, which says why."""
        control = await self.control()
        try:
            pid = await control.launch(bundle_id, arguments=arguments, kill_existing=True)
        except DTXNsError as refused:
            raise DeviceError(f"DVT did not launch {bundle_id}: {ns_error_text(refused)} (unlock the iPhone; after "
                              "a first install, trust the developer in Settings > General > VPN & Device "
                              "Management)") from None
        except AssertionError:  # ProcessControl.launch asserts that the device answered with a pid
            pid = 0
        if not pid:
            raise DeviceError(f"DVT answered the launch of {bundle_id} without a process id")
        return pid

    async def running_pid(self, bundle_id: str) -> int:
        """The app's pid while it runs, 0 once it has exited."""
        return await (await self.control()).process_identifier_for_bundle_identifier(bundle_id)

    async def kill(self, pid: int) -> None:
        await (await self.control()).kill(pid)

    async def close(self) -> None:
        provider, rsd = self._provider, self._rsd
        self._provider, self._control, self._rsd = None, None, None
        for connection in (provider, rsd):
            if connection is not None:
                try:
                    await connection.close()
                except (pmd3.PyMobileDevice3Exception, OSError):
                    pass  # the device went away; nothing is left to close


class SyslogTap:
    """The app's `MobileBench:` lines from the device's log stream (os_trace_relay), kept from `start` on; only
    the launched process's lines are handed out, so another app's lines never reach a row's error."""

    def __init__(self, link: IphoneLink):
        self.link = link
        self.entries: list[tuple[int, str]] = []  # (pid, message)
        self._task: concurrent.futures.Future | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        """Follow the log from now on. Returns once os_trace_relay's connection is open (or could not be opened),
        so that the launch that follows does not race the stream's start and lose the app's first lines."""
        self.entries = []
        self._ready.clear()
        self._task = self.link.bridge.start(self._follow)
        self._ready.wait(TAP_READY_SECONDS)

    async def _follow(self) -> None:
        try:
            trace = OsTraceService(lockdown=await self.link.lockdown())
            await trace.connect()
        except (DeviceError, pmd3.PyMobileDevice3Exception, OSError):
            return  # no device, no log: the cell's own error says why
        finally:
            self._ready.set()
        try:
            # syslog() finds the connection open: StartActivity is written before this task yields to the launch
            async for entry in trace.syslog():
                if entry.message.startswith(LOG_PREFIX):
                    self.entries.append((entry.pid, entry.message))
        except (pmd3.PyMobileDevice3Exception, OSError, asyncio.CancelledError):
            pass  # the stream ends with the cell, or with the device
        finally:
            await trace.close()

    def stop(self, pid: int | None) -> list[str]:
        """Stop following; the lines of process ``pid`` (all of the app's lines when the pid is unknown)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        return [message for owner, message in self.entries if pid is None or owner == pid]
