"""App mode: the project's Android app runs the request, as a foreground activity, and writes the result.

The harness pushes the model, inputs and request into the cell's folder under /data/local/tmp,
starts the app with `am start -W -S -n PACKAGE/ACTIVITY --es request PATH --es result PATH`, polls
for the result file in the app's external files folder (readable by the shell user), samples the
app's PSS with `dumpsys meminfo` while it waits, and reads the result with the same protocol code
as the host shell's.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from harness.devices.android import reports
from harness.devices.android.link import CommandTimeout, quote
from harness.devices.base import Launch
from harness.errors import DeviceError, ProtocolError
from harness.protocol import Request, Result, write_json_atomic

APP_PACKAGE = "org.mobilebench.shell"
APP_ACTIVITY = f"{APP_PACKAGE}/.BenchActivity"
RESULTS_FOLDER = f"/sdcard/Android/data/{APP_PACKAGE}/files/results"
POLL_SECONDS = 0.25
_DONE, _GONE = "__HARNESS_RESULT__", "__HARNESS_NO_PROCESS__"
_GRACE_POLLS = 8  # polls without the app's process before concluding it died without a result


class AppRunner:
    def __init__(self, device):
        self.device = device

    def prepare(self) -> None:
        """The app must be installed; the screen is woken, since a foreground activity needs it on.
        The app creates its results folder itself: one the shell user created may not be writable by it."""
        link = self.device.link
        if link.shell(["pm", "path", APP_PACKAGE]).exit_code != 0:
            raise DeviceError(f"the mobile-bench app ({APP_PACKAGE}) is not installed on {self.device.name}: "
                              "build and install it (android-app/), or use cli mode (--mode cli)")
        link.shell(["input", "keyevent", "KEYCODE_WAKEUP"])

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        link = self.device.link
        folder = self.device.push_cell_files(request, files)
        request_path = f"{folder}/request.json"
        with tempfile.TemporaryDirectory() as scratch:
            local = Path(scratch) / "request.json"
            write_json_atomic(local, request.to_json())
            link.push(local, request_path)
        result_path = f"{RESULTS_FOLDER}/{request.cell_id}-{secrets.token_hex(4)}.json"
        started = link.check(["am", "start", "-W", "-S", "-n", APP_ACTIVITY,
                              "--es", "request", request_path, "--es", "result", result_path])
        error = reports.parse_am_start_error(started)
        if error:
            raise DeviceError(f"the app did not start: {error}")
        pss_peak = self._wait(result_path, launch.timeout_seconds)
        text = link.pull_text(result_path)
        link.shell(["rm", "-f", result_path])
        try:
            result = Result.from_json(json.loads(text))
        except (ProtocolError, json.JSONDecodeError) as problem:
            raise DeviceError(f"the app wrote an invalid result: {problem}") from None
        return replace(result, memory=replace(result.memory, pss_peak_sampled_bytes=pss_peak))

    def _wait(self, result_path: str, timeout: float) -> int | None:
        """Poll until the result exists; sample PSS meanwhile. The app renames its result into place."""
        link, deadline, pss_peak, gone = self.device.link, time.monotonic() + timeout, None, 0
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
            self.device.link.shell(["am", "force-stop", APP_PACKAGE])
        except DeviceError:
            pass
