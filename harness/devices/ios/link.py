"""One iPhone through pymobiledevice3: usbmux for the device list, lockdown for its values and services.

Every call runs on the device's one event loop (bridge.py) and comes back as a value or a harness error: a
dropped connection or a device that left usbmux is LinkLost (retried by `with_retries`), everything else a
one-line DeviceError. The developer services (process control) are in developer.py.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from pymobiledevice3 import exceptions as pmd3
from pymobiledevice3 import usbmux
from pymobiledevice3.dtx import DTXNsError, DTXProtocolError
from pymobiledevice3.lockdown import create_using_usbmux
from pymobiledevice3.services.diagnostics import DiagnosticsService
from pymobiledevice3.services.house_arrest import HouseArrestService
from pymobiledevice3.services.installation_proxy import InstallationProxyService

from harness.devices.ios.bridge import Bridge
from harness.devices.phone import TransferClock
from harness.devices.retries import LinkLost
from harness.errors import ConfigError, DeviceError

T = TypeVar("T")

QUICK_TIMEOUT = 30.0
INSTALL_TIMEOUT = 600.0
_GONE = (pmd3.ConnectionTerminatedError, pmd3.NoDeviceConnectedError, pmd3.DeviceNotFoundError, pmd3.BadDevError,
         pmd3.ConnectionFailedError, pmd3.MuxException, ConnectionError, BrokenPipeError, EOFError)
USBMUXD_MISSING = ("cannot reach usbmuxd: on Linux install and start it (Debian: apt-get install usbmuxd), on a Mac "
                   "it runs by itself; USBMUXD_SOCKET_ADDRESS names another socket")


def explain(error: BaseException, what: str) -> DeviceError:
    """The harness error for a pymobiledevice3 failure during ``what``: LinkLost when the device went away."""
    if isinstance(error, pmd3.ConnectionFailedToUsbmuxdError):
        return DeviceError(USBMUXD_MISSING)
    if isinstance(error, pmd3.NoDeviceConnectedError | pmd3.DeviceNotFoundError):
        return LinkLost(f"{what}: the iPhone is not attached (usbmuxd does not list it)")
    if isinstance(error, _GONE):
        return LinkLost(f"{what}: the iPhone went away ({type(error).__name__}{f': {error}' if str(error) else ''})")
    if isinstance(error, pmd3.PasswordRequiredError | pmd3.PasscodeRequiredError):
        return DeviceError(f"{what}: the iPhone is locked with a passcode: unlock it and run again")
    if isinstance(error, DTXNsError):  # a DVT service answered with an NSError (not a PyMobileDevice3Exception)
        return DeviceError(f"{what}: the iPhone refused: {ns_error_text(error)}")
    detail = str(error) or type(error).__name__
    return DeviceError(f"{what}: {detail}")


def ns_error_text(error: DTXNsError) -> str:
    """An NSError's own sentences (NSLocalizedDescription, then its failure reason), else its domain and code."""
    info = error.error.user_info or {}
    parts = [str(info[key]) for key in ("NSLocalizedDescription", "NSLocalizedFailureReason") if info.get(key)]
    return " ".join(parts) if parts else f"{error.error.domain} error {error.error.code}"


def attached_udids() -> dict[str, str]:
    """udid -> connection type (USB, Network) of every device usbmuxd lists."""
    bridge = Bridge("usbmux-list")
    try:
        devices = bridge.run(_listed(), QUICK_TIMEOUT, "listing iPhones")
    finally:
        bridge.close()
    return devices


async def _listed() -> dict[str, str]:
    """A device attached by USB and over Wi-Fi is listed twice, once per connection: it is one device, and USB (the
    connection create_using_usbmux prefers) is the one named."""
    try:
        devices = await usbmux.list_devices()
    except (pmd3.PyMobileDevice3Exception, OSError) as error:
        raise explain(error, "listing iPhones") from None
    listed: dict[str, str] = {}
    for device in devices:
        if listed.get(device.serial) != "USB":
            listed[device.serial] = device.connection_type
    return listed


def resolve_udid(udid: str, attached: dict[str, str]) -> str:
    """`auto`: the one attached device; none, or several, is a clear error."""
    if udid != "auto":
        return udid
    if len(attached) == 1:
        return next(iter(attached))
    if not attached:
        raise DeviceError("no iPhone attached: connect one by USB, unlock it and tap Trust (usbmuxd lists none)")
    raise ConfigError(f"udid: auto, but {len(attached)} iPhones are attached ({', '.join(attached)}); "
                      "set `udid:` for this alias in configs/devices.yaml")


class IphoneLink(TransferClock):
    """Lockdown over usbmux for one device, opened on first use and again after a drop (`reconnect`)."""

    def __init__(self, udid: str):
        self.udid = resolve_udid(udid, attached_udids()) if udid == "auto" else udid
        self.bridge = Bridge(f"iphone-{self.udid[:8]}")
        self._lockdown: Any = None
        self._containers: dict[str, Any] = {}  # bundle id -> a HouseArrest (AFC) connection vended for it
        self.generation = 0  # counts `forget`s: a connection opened in an older generation is gone

    def call(self, make: Callable[[], Coroutine[Any, Any, T]], what: str, timeout: float = QUICK_TIMEOUT) -> T:
        """Run ``make()`` on the loop; pymobiledevice3's errors come back as harness errors."""
        async def guarded() -> T:
            try:
                return await make()
            except DeviceError:
                raise
            except (pmd3.PyMobileDevice3Exception, DTXNsError, DTXProtocolError, OSError, EOFError) as error:
                raise explain(error, what) from None

        return self.bridge.run(guarded(), timeout, what)

    async def lockdown(self) -> Any:
        if self._lockdown is None:
            client = await create_using_usbmux(serial=self.udid, autopair=False)
            if not client.paired:
                await client.close()
                raise DeviceError(f"the iPhone {self.udid} is not paired with this computer, or no longer trusts it: "
                                  "unlock it, tap Trust on the prompt (or run `pymobiledevice3 lockdown pair`) and run again")
            self._lockdown = client
        return self._lockdown

    def reconnect(self) -> None:
        self.call(self._reopen, "reconnecting")

    async def _reopen(self) -> None:
        await self.forget()
        await self.lockdown()

    async def forget(self) -> None:
        """Drop every open connection (after a drop, or when the run ends)."""
        self.generation += 1
        containers, self._containers = list(self._containers.values()), {}
        lockdown, self._lockdown = self._lockdown, None
        # An AFC connection closes with aclose(), which also ends its reader task; close() would leave it pending.
        closers = [container.aclose for container in containers] + ([lockdown.close] if lockdown is not None else [])
        for close in closers:
            try:
                await close()
            except (pmd3.PyMobileDevice3Exception, OSError):
                pass  # already gone

    def close(self) -> None:
        try:
            self.call(self.forget, "closing the connection")
        except DeviceError:
            pass
        self.bridge.close()

    # -- lockdown values and diagnostics ----------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            return dict((await self.lockdown()).all_values)

        return self.call(read, "reading the device's values")

    def battery(self) -> dict[str, Any] | None:
        """The IORegistry entry of class IOPMPowerSource (diagnostics_relay), or None where there is none."""
        async def read() -> dict[str, Any] | None:
            diagnostics = DiagnosticsService(lockdown=await self.lockdown())
            try:
                return await diagnostics.get_battery()
            finally:
                await diagnostics.close()

        return self.call(read, "reading the battery")

    # -- apps --------------------------------------------------------------------------------------------
    def installed_version(self, bundle_id: str) -> str | None:
        """CFBundleVersion of the installed app, or None when it is not installed."""
        async def read() -> str | None:
            proxy = InstallationProxyService(lockdown=await self.lockdown())
            try:
                found = await proxy.lookup({"BundleIDs": [bundle_id], "ReturnAttributes": ["CFBundleVersion"]})
            finally:
                await proxy.close()
            entry = (found or {}).get(bundle_id)
            return str(entry.get("CFBundleVersion")) if entry else None

        return self.call(read, f"looking up {bundle_id}")

    def install(self, package: Path, upgrade: bool) -> None:
        """Install (or upgrade) a .app folder or an .ipa; InstallationProxy packs a folder itself."""
        async def install() -> None:
            proxy = InstallationProxyService(lockdown=await self.lockdown())
            try:
                await proxy.install_from_local(package, "Upgrade" if upgrade else "Install")
            finally:
                await proxy.close()

        with self._transfer():
            self.call(install, f"installing {package.name}", INSTALL_TIMEOUT)

    # -- the app's container (HouseArrest, then AFC) -----------------------------------------------------
    async def container(self, bundle_id: str) -> Any:
        if bundle_id not in self._containers:
            service = HouseArrestService(lockdown=await self.lockdown())
            try:
                await service.send_command(bundle_id, "VendContainer")
            except pmd3.PyMobileDevice3Exception as error:
                await service.aclose()
                if isinstance(error, pmd3.AppNotInstalledError):
                    raise DeviceError(f"{bundle_id} is not installed on {self.udid}") from None
                if type(error) is not pmd3.PyMobileDevice3Exception:
                    raise  # starting the service failed (locked, dropped): explain() says which
                # send_command's own error for any other answer: house_arrest vends the whole container only of an
                # app signed for development
                raise DeviceError(f"house_arrest would not vend the container of {bundle_id} ({error}): the app must "
                                  "be signed for development, as `make ios-app` signs it") from None
            self._containers[bundle_id] = service
        return self._containers[bundle_id]

    def push(self, bundle_id: str, local: Path, remote: str) -> None:
        """Copy a file into the app's container (paths relative to its home), creating its folder."""
        async def push() -> None:
            afc = await self.container(bundle_id)
            await afc.makedirs(str(Path(remote).parent))
            await afc.push(str(local), remote, progress_bar=False)

        with self._transfer():
            self.call(push, f"pushing {local.name}", INSTALL_TIMEOUT)

    def pull(self, bundle_id: str, remote: str) -> bytes | None:
        """A file of the container, or None when it is not there."""
        async def pull() -> bytes | None:
            afc = await self.container(bundle_id)
            if not await afc.exists(remote):
                return None
            return await afc.get_file_contents(remote)

        with self._transfer():
            return self.call(pull, f"reading {remote}")

    def exists(self, bundle_id: str, remote: str) -> bool:
        async def exists() -> bool:
            return await (await self.container(bundle_id)).exists(remote)

        return self.call(exists, f"looking for {remote}")

    def remove(self, bundle_id: str, remote: str) -> None:
        async def remove() -> None:
            afc = await self.container(bundle_id)
            if await afc.exists(remote):
                await afc.rm(remote, force=True)

        self.call(remove, f"removing {remote}")

