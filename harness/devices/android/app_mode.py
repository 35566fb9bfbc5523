"""App mode: the project's Android app runs the request, as a foreground activity, and writes the result.

The harness pushes the model, inputs and request into the cell's folder under /data/local/tmp,
starts the app with `am start -W -S -n PACKAGE/ACTIVITY --es request PATH --es result PATH`, polls
for the result file in the app's external files folder (readable by the shell user), samples the
app's PSS with `dumpsys meminfo` while it waits, and reads the result with the same protocol code
as the host shell's.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from harness.devices.android import reports
from harness.devices.android.link import CommandTimeout, quote
from harness.devices.android.session import PhoneSession
from harness.devices.base import Launch
from harness.errors import DeviceError, ProtocolError
from harness.files import write_json_atomic
from harness.protocol import Request, Result

APP_PACKAGE = "org.mobilebench.shell"
ANDROID_APP = Path("android-app")
DEFAULT_APK = ANDROID_APP / "app/build/outputs/apk/release/app-release.apk"
APP_ACTIVITY = f"{APP_PACKAGE}/.BenchActivity"
RESULTS_FOLDER = f"/sdcard/Android/data/{APP_PACKAGE}/files/results"
POLL_SECONDS = 0.25
_DONE, _GONE = "__HARNESS_RESULT__", "__HARNESS_NO_PROCESS__"
_GRACE_POLLS = 8  # polls without the app's process before concluding it died without a result


def source_version_code(folder: Path = ANDROID_APP) -> int | None:
    """versionCode in android-app/version.properties: what `make android-app` builds."""
    try:
        text = (folder / "version.properties").read_text()
    except OSError:
        return None
    return reports.parse_version_code(text)


class AppRunner:
    def __init__(self, session: PhoneSession, apk: Path | None = None, sustained_performance: bool = False):
        self.session, self.apk, self.sustained_performance = session, apk, sustained_performance

    def prepare(self) -> None:
        """Install or update the app when android-app/ is newer, then wake the screen: a foreground activity
        needs it on. The app creates its results folder itself: one the shell user made may not be writable."""
        self._install_if_needed()
        self.session.link.command(["input", "keyevent", "KEYCODE_WAKEUP"])

    def installed_version_code(self) -> int | None:
        return reports.parse_version_code(self.session.link.command(["dumpsys", "package", APP_PACKAGE]).text)

    def _install_if_needed(self) -> None:
        installed, wanted = self.installed_version_code(), source_version_code()
        if installed is not None and (wanted is None or installed >= wanted):
            return
        apk = Path(self.apk) if self.apk else DEFAULT_APK
        where = f"the mobile-bench app ({APP_PACKAGE})"
        if not apk.is_file():
            state = "is not installed" if installed is None else f"on the phone is older (versionCode {installed} < {wanted})"
            raise DeviceError(f"{where} {state} on {self.session.name}, and there is no APK at {apk} to install: "
                              "run `make android-app` (needs an Android SDK), or use cli mode (--mode cli)")
        remote = f"{self.session.folder}/app.apk"
        self.session.link.push(apk, remote)
        output = self.session.link.command(["pm", "install", "-r", "-t", remote], timeout=300).text
        if "Success" not in output:
            raise DeviceError(f"installing {apk} on {self.session.name} failed: {output.strip()[-500:]}")
        now = self.installed_version_code()
        if wanted is not None and (now is None or now < wanted):
            raise DeviceError(f"{apk} is older than android-app/version.properties (versionCode {now} < {wanted}): "
                              "rebuild it with `make android-app`")
        self.session.note(f"installed the app (versionCode {now}, was {installed})")

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        wanted = self.sustained_performance
        result = self.run_message({**request.to_json(), "sustained_performance": wanted}, files, launch)
        if wanted and result.ok and not result.shell.get("sustained_performance"):
            self.session.note("sustained-performance mode was asked for, but this phone does not support it")
        return result

    def run_message(self, message: dict, files: dict[str, Path], launch: Launch) -> Result:
        """Any request message, valid or not: the conformance suite sends broken ones on purpose."""
        link = self.session.link
        name = re.sub(r"[^\w.-]", "_", str(message.get("cell_id", "unnamed")))
        folder = self.session.push_cell_files(name, files)
        request_path = f"{folder}/request.json"
        with tempfile.TemporaryDirectory() as scratch:
            local = Path(scratch) / "request.json"
            write_json_atomic(local, message)
            link.push(local, request_path)
        result_path = f"{RESULTS_FOLDER}/{name}-{secrets.token_hex(4)}.json"
        started = link.output(["am", "start", "-W", "-S", "-n", APP_ACTIVITY,
                              "--es", "request", request_path, "--es", "result", result_path])
        error = reports.parse_am_start_error(started)
        if error:
            raise DeviceError(f"the app did not start: {error}")
        pss_peak = self._wait(result_path, launch.timeout_seconds)
        text = link.pull_text(result_path)
        link.command(["rm", "-f", result_path])
        try:
            result = Result.from_json(json.loads(text))
        except (ProtocolError, json.JSONDecodeError) as problem:
            raise DeviceError(f"the app wrote an invalid result: {problem}") from None
        return result.model_copy(update={"memory": result.memory.model_copy(update={"pss_peak_sampled_bytes": pss_peak})})

    def _wait(self, result_path: str, timeout: float) -> int | None:
        """Poll until the result exists; sample PSS meanwhile. The app renames its result into place."""
        link, deadline, pss_peak, gone = self.session.link, time.monotonic() + timeout, None, 0
        poll = (f"test -f {quote([result_path])} && echo {_DONE}; pidof {APP_PACKAGE} >/dev/null || echo {_GONE}; "
                f"dumpsys meminfo {APP_PACKAGE}")
        while time.monotonic() < deadline:
            text = link.script(poll).text
            if _DONE in text:
                return pss_peak
            pss = reports.parse_meminfo_pss_bytes(text)
            pss_peak = max(pss_peak or 0, pss) if pss else pss_peak
            gone = gone + 1 if _GONE in text else 0
            if gone >= _GRACE_POLLS:
                raise DeviceError("the app exited without writing a result (crashed?); see `adb logcat`")
            time.sleep(POLL_SECONDS)
        raise CommandTimeout(f"the app wrote no result within {timeout:.0f}s")

    def stop(self, request: Request) -> None:
        try:
            self.session.link.command(["am", "force-stop", APP_PACKAGE])
        except DeviceError:
            pass
