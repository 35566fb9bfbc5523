"""App mode on an iPhone: the project's iOS app (ios-app/) runs the request and writes the result.

The harness installs or upgrades the app when it is missing or older than ios-app/app.json (InstallationProxy),
pushes the model, inputs and request into the app's container under Documents/runs/<run>/<cell>/ (HouseArrest,
then AFC), launches it with `--request PATH --result PATH` relative to its home (DVT process control), polls for
the result, and pulls it. It kills the app at the cell's timeout. When no result comes back, the app's own
`MobileBench:` syslog lines go into the error.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness.devices.base import Launch
from harness.devices.ios import app_build
from harness.devices.ios.developer import OPEN_TIMEOUT, ProcessControlSession, SyslogTap, Tunneld
from harness.devices.ios.link import IphoneLink
from harness.devices.retries import CommandTimeout
from harness.errors import DeviceError, ProtocolError
from harness.files import write_json_atomic
from harness.protocol import Request, Result
from harness.runtime_size import RuntimeBinary, ios_app_binary

POLL_SECONDS = 0.25
_GRACE_POLLS = 8  # polls without the app's process before concluding it died without a result
_LOG_LINES = 20  # the app's last log lines quoted in an error
RUNS_FOLDER = "Documents/runs"


def launch_arguments(request: str, result: str) -> list[str]:
    """The launch contract (docs/protocol.md, "The iOS app"): the flags Launcher.swift reads, each followed by a
    path relative to the app's home."""
    return ["--request", request, "--result", result]


def low_power_note(result: Result) -> str | None:
    """The warning for a cell the app ran in low-power mode (its `shell.low_power_mode`, DeviceFacts.swift)."""
    if result.shell.get("low_power_mode"):
        return "low-power mode was on: iOS lowers the CPU's clocks in it, so these numbers are not comparable"
    return None


class IosAppRunner:
    def __init__(self, link: IphoneLink, tunneld: Tunneld, run_id: str, app: Path | None, note: Callable[..., None]):
        self.link, self.run_id, self.note = link, run_id, note
        self.package = app_build.app_package(app)
        self.app = app_build.source_app()
        self.control = ProcessControlSession(link, tunneld)
        self.tap = SyslogTap(link)
        self.installed_version: str | None = None
        self._pushed: dict[str, int] = {}  # container path -> the local file's mtime, this run

    @property
    def run_folder(self) -> str:
        return f"{RUNS_FOLDER}/{self.run_id}"

    def prepare(self) -> None:
        """Install or upgrade the app when needed, then reach process control once, so that a missing prerequisite
        (developer mode, the disk image, the tunnel) stops the run before its first cell with one line."""
        self.installed_version = self._install_if_needed()
        self.link.call(self.control.control, "opening process control", OPEN_TIMEOUT)

    def _install_if_needed(self) -> str | None:
        installed, wanted = self.link.installed_version(self.app.bundle_id), self.app.version
        if not app_build.older(installed, wanted):
            return installed
        state = "is not installed" if installed is None else f"on the iPhone is older (CFBundleVersion {installed} < {wanted})"
        where = f"the mobile-bench app ({self.app.bundle_id}) {state} on {self.link.udid}"
        if not self.package.exists():
            raise DeviceError(f"{where}, and there is no app at {self.package} to install: build it with `make ios-app` "
                              "on a Mac (ios-app/README.md), or set `app:` for this alias to an .app or .ipa")
        local = app_build.package_version(self.package)
        if app_build.older(local, wanted):
            raise DeviceError(f"{self.package} is older than ios-app/app.json (CFBundleVersion {local} < {wanted}): "
                              "rebuild it with `make ios-app`")
        self.link.install(self.package, upgrade=installed is not None)
        now = self.link.installed_version(self.app.bundle_id)
        self.note(f"installed {self.app.bundle_id} (CFBundleVersion {now}, was {installed})")
        return now

    def runtime_binary(self, runtime: str) -> RuntimeBinary | None:
        """The app's frameworks' Mach-O bytes, when the package this run installs from is here."""
        return ios_app_binary(self.package, self.app.bundle_id) if self.package.exists() else None

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        result = self.run_message(request.to_json(), files, launch)
        if (note := low_power_note(result)) is not None:
            self.note(note)
        return result

    def run_message(self, message: dict, files: dict[str, Path], launch: Launch) -> Result:
        """Any request message, valid or not: the conformance suite sends broken ones on purpose."""
        name = re.sub(r"[^\w.-]", "_", str(message.get("cell_id", "unnamed")))
        folder = f"{self.run_folder}/{name}"
        self._push_cell_files(folder, files, message)
        result_path = f"{folder}/result-{secrets.token_hex(4)}.json"
        arguments = launch_arguments(f"{folder}/request.json", result_path)
        self.tap.start()
        pid: int | None = None
        try:
            pid = self.link.call(lambda: self.control.launch(self.app.bundle_id, arguments), "launching the app")
            self._wait(pid, result_path, launch.timeout_seconds)
        except DeviceError as problem:
            raise type(problem)(f"{problem}{self._app_log(pid)}") from None
        self.tap.stop(pid)
        text = self.link.pull(self.app.bundle_id, result_path)
        self.link.remove(self.app.bundle_id, result_path)
        try:
            result = Result.from_json(json.loads(text or b""))
        except (ProtocolError, json.JSONDecodeError) as problem:
            raise DeviceError(f"the app wrote an invalid result: {problem}") from None
        version = self.installed_version or ""
        shell = {**result.shell, "package": self.app.bundle_id, "version_code": int(version) if version.isdigit() else None}
        return result.model_copy(update={"shell": shell})

    def _push_cell_files(self, folder: str, files: dict[str, Path], message: dict) -> None:
        for relative, local in files.items():
            remote = f"{folder}/{relative}"
            if self._pushed.get(remote) != local.stat().st_mtime_ns:
                self.link.push(self.app.bundle_id, local, remote)
                self._pushed[remote] = local.stat().st_mtime_ns
        with tempfile.TemporaryDirectory() as scratch:
            request = Path(scratch) / "request.json"
            write_json_atomic(request, message)
            self.link.push(self.app.bundle_id, request, f"{folder}/request.json")

    def _wait(self, pid: int, result_path: str, timeout: float) -> None:
        deadline, gone = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            if self.link.exists(self.app.bundle_id, result_path):
                return
            running = self.link.call(lambda: self.control.running_pid(self.app.bundle_id), "asking whether the app runs")
            gone = gone + 1 if running != pid else 0
            if gone >= _GRACE_POLLS:
                raise DeviceError("the app exited without writing a result")
            time.sleep(POLL_SECONDS)
        self.stop(pid)
        raise CommandTimeout(f"the app wrote no result within {timeout:.0f}s; killed it")

    def stop(self, pid: int) -> None:
        try:
            self.link.call(lambda: self.control.kill(pid), "killing the app")
        except DeviceError:
            pass  # gone already, or the device is

    def _app_log(self, pid: int | None) -> str:
        lines = self.tap.stop(pid)
        return f"; the app's log: {' | '.join(lines[-_LOG_LINES:])}" if lines else "; the app logged nothing"

    def cleanup(self) -> None:
        """Remove this run's folder from the app's container, and close process control."""
        try:
            self.link.remove(self.app.bundle_id, self.run_folder)
        except DeviceError:
            pass  # the device went away: the folder stays until removed by hand
        try:
            self.link.call(self.control.close, "closing process control")
        except DeviceError:
            pass
