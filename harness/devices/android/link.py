"""One Android device through the adb server (adbutils): shell commands, pushes and pulls, reconnects.

Commands are argument lists, each argument quoted, so nothing in a model or folder name reaches the
device's shell as syntax. Lost connections raise LinkLost, which callers retry through `with_retries`.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.devices.phone import TransferClock
from harness.devices.retries import BACKOFF_SECONDS, CommandTimeout, LinkLost, with_retries
from harness.errors import ConfigError, DeviceError

__all__ = ["BACKOFF_SECONDS", "AdbLink", "CommandTimeout", "LinkLost", "Output", "files_script", "parse_files", "with_retries"]

QUICK_TIMEOUT = 30.0
_EXIT_MARK = "__HARNESS_EXIT__"
_FILE_MARK = "__HARNESS_FILE__"


@dataclass(frozen=True)
class Output:
    exit_code: int
    text: str


def quote(arguments: Sequence[str | int | float]) -> str:
    return " ".join(shlex.quote(str(a)) for a in arguments)


def _adbutils():
    try:
        import adbutils
    except ImportError:  # pragma: no cover - a dependency of the package
        raise DeviceError("adbutils is not installed; run `make venv`") from None
    return adbutils


def adb_client():
    """A client of the adb server on ANDROID_ADB_SERVER_PORT (default 5037), started if it is not running."""
    adbutils = _adbutils()
    client = adbutils.AdbClient()
    try:
        client.server_version()
    except (adbutils.AdbError, OSError) as error:
        raise DeviceError(f"cannot reach or start the adb server: {error}; install adb "
                          "(Debian: apt-get install adb) or the Android SDK platform-tools") from None
    return client


def attached_serials(client) -> dict[str, str]:
    """serial -> state ('device', 'unauthorized', 'offline') for everything the server sees."""
    return {info.serial: info.state for info in client.list()}


def resolve_serial(client, serial: str) -> str:
    """`auto`: the one attached device; several attached, or one that is not ready, is a clear error."""
    if serial != "auto":
        return serial
    serials = attached_serials(client)
    ready = [s for s, state in serials.items() if state == "device"]
    if len(ready) == 1:
        return ready[0]
    if not serials:
        raise DeviceError("no Android device attached: connect a phone with USB debugging on and check `adb devices`")
    if not ready:
        listed = ", ".join(f"{s} ({state})" for s, state in serials.items())
        raise DeviceError(f"no Android device is ready: {listed}; accept the USB debugging prompt on the phone")
    raise ConfigError(f"serial: auto, but {len(ready)} devices are attached ({', '.join(ready)}); "
                      "set `serial:` for this alias in configs/devices.yaml")


class AdbLink(TransferClock):
    def __init__(self, serial: str):
        self.client = adb_client()
        self._connect_if_network(serial)
        self.serial = resolve_serial(self.client, serial)
        self.device = self.client.device(self.serial)


    def _connect_if_network(self, serial: str) -> None:
        """Serials like 127.0.0.1:PORT are devices over TCP (Wi-Fi debugging, the emulated test phone)."""
        if ":" in serial and serial != "auto":
            try:
                self.client.connect(serial, timeout=10)
            except (_adbutils().AdbError, OSError) as error:
                raise LinkLost(f"cannot connect to {serial}: {error}") from None

    def reconnect(self) -> None:
        self._connect_if_network(self.serial)
        try:
            self.client.wait_for(self.serial, state="device", timeout=10)
        except (_adbutils().AdbError, OSError) as error:
            raise LinkLost(f"{self.serial} did not come back: {error}") from None

    # -- commands ----------------------------------------------------------------------------------------
    def command(self, arguments: Sequence[str | int | float], timeout: float = QUICK_TIMEOUT) -> Output:
        return self.script(quote(arguments), timeout)

    def script(self, text: str, timeout: float = QUICK_TIMEOUT) -> Output:
        """Run shell text built by the harness (every outside value already quoted); return its exit code and output."""
        adbutils = _adbutils()
        try:
            raw = self.device.shell(f"{text}; echo {_EXIT_MARK}$?", timeout=timeout, encoding=None, rstrip=False)
        except adbutils.AdbTimeout:
            raise CommandTimeout(f"the command did not finish within {timeout:.0f}s on {self.serial}") from None
        except (adbutils.AdbError, OSError) as error:
            raise LinkLost(f"lost the connection to {self.serial}: {error or type(error).__name__}") from None
        output = raw.decode("utf-8", errors="replace")
        head, mark, code = output.rpartition(_EXIT_MARK)
        if not mark:
            raise LinkLost(f"the connection to {self.serial} closed before the command finished")
        return Output(int(code.strip() or 255), head)

    def output(self, arguments: Sequence[str | int | float], timeout: float = QUICK_TIMEOUT) -> str:
        """Run a command that must succeed; its output."""
        output = self.command(arguments, timeout)
        if output.exit_code != 0:
            raise DeviceError(f"`{quote(arguments)}` failed on {self.serial} (exit {output.exit_code}): "
                              f"{output.text.strip()[-500:]}")
        return output.text

    def read_files(self, paths: Sequence[str]) -> dict[str, str | None]:
        """Several small files (sysfs, /proc) in one round trip; unreadable ones are None."""
        return parse_files(self.script(files_script(paths)).text, paths)

    # -- files -------------------------------------------------------------------------------------------
    def push(self, local: Path, remote: str, mode: int = 0o644) -> None:
        """Push and verify the size and SHA-256 on the device; a full disk is named as such."""
        adbutils = _adbutils()
        try:
            with self._transfer():
                self.device.sync.push(str(local), remote, mode=mode)
        except adbutils.AdbError as error:
            self._explain_push_failure(local, remote, error)
        except OSError as error:
            raise LinkLost(f"lost the connection to {self.serial} while pushing {local.name}: {error}") from None
        self._verify(local, remote)

    def _explain_push_failure(self, local: Path, remote: str, error: Exception):
        free = self.free_bytes(str(Path(remote).parent))
        size = local.stat().st_size
        if free is not None and free < size:
            raise DeviceError(f"the device is out of space: pushing {local.name} ({size / 1e6:.1f} MB) to "
                              f"{Path(remote).parent} failed with {free / 1e6:.1f} MB free") from None
        raise DeviceError(f"pushing {local.name} to {remote} failed: {error}") from None

    def _verify(self, local: Path, remote: str) -> None:
        expected = hashlib.sha256(local.read_bytes()).hexdigest()
        output = self.command(["sha256sum", remote])
        if output.exit_code == 0:
            found = output.text.split()[0] if output.text.split() else ""
            if found != expected:
                raise DeviceError(f"{remote} on the device does not match {local} "
                                  f"(SHA-256 {found[:12]}, expected {expected[:12]})")
            return
        size = self.command(["stat", "-c", "%s", remote]).text.strip()  # no sha256sum (Android before 8): the size
        if size != str(local.stat().st_size):
            raise DeviceError(f"{remote} on the device holds {size} bytes, {local} holds {local.stat().st_size}")

    def pull_text(self, remote: str) -> str:
        adbutils = _adbutils()
        try:
            with self._transfer():
                return self.device.sync.read_text(remote)
        except adbutils.AdbError as error:
            raise DeviceError(f"cannot read {remote} from {self.serial}: {error}") from None
        except OSError as error:
            raise LinkLost(f"lost the connection to {self.serial} while reading {remote}: {error}") from None

    def exists(self, remote: str) -> bool:
        return self.command(["test", "-e", remote]).exit_code == 0

    def free_bytes(self, folder: str) -> int | None:
        output = self.command(["df", "-k", folder])
        lines = output.text.strip().splitlines()
        try:
            return int(lines[-1].split()[3]) * 1024 if output.exit_code == 0 else None
        except (IndexError, ValueError):
            return None


def files_script(paths: Sequence[str]) -> str:
    """Shell text that prints each file after a marker line, or a missing marker; ``parse_files`` reads it."""
    return (f"for f in {quote(paths)}; do echo {_FILE_MARK}\"$f\"; "
            f"cat \"$f\" 2>/dev/null && echo || echo {_FILE_MARK}missing; done")


def parse_files(text: str, paths: Sequence[str]) -> dict[str, str | None]:
    lines: dict[str, list[str] | None] = dict.fromkeys(paths)
    current: str | None = None
    for line in text.splitlines():
        if line.startswith(_FILE_MARK):
            name = line[len(_FILE_MARK):]
            if name == "missing" and current is not None:
                lines[current] = None
            elif name != "missing":
                current = name
                lines[current] = []
        elif current is not None and (found := lines[current]) is not None:
            found.append(line)
    return {path: "\n".join(found).strip() if found is not None else None for path, found in lines.items()}
