"""App mode: the project's Android app runs the request, as a foreground activity, and writes the result.

android-app/ builds one APK per flavor (android-app/runtimes.json); a cell runs in the one holding its
runtime. The harness installs that APK when the phone's copy is missing or older, compiles it ahead of time,
pushes the model, inputs and request into the app's own external files folder (the only place the app takes
requests from), starts it with `am start -W -S -n PACKAGE/ACTIVITY --es request PATH --es result PATH`, and
polls for the result. It samples the app's PSS with `dumpsys meminfo` only while the app's phase file does not
say "timed", and reads the app's log lines (one tag) into the error when no result comes back.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from harness.devices.android import app_build, reports
from harness.devices.android.app_build import Flavor, source_version_code
from harness.devices.android.link import CommandTimeout, quote
from harness.devices.android.session import PhoneSession
from harness.devices.base import Launch
from harness.errors import DeviceError, ProtocolError
from harness.files import write_json_atomic
from harness.protocol import Request, Result
from harness.runtime_size import RuntimeBinary, app_binary

__all__ = ["AppRunner", "source_version_code"]

POLL_SECONDS = 0.25
_DONE, _GONE, _PHASE, _AFTER = "__HARNESS_RESULT__", "__HARNESS_NO_PROCESS__", "__HARNESS_PHASE__", "__HARNESS_PHASE_AFTER__"
_GRACE_POLLS = 8  # polls without the app's process before concluding it died without a result
_LOG_LINES = 20  # the app's last log lines quoted in an error


class AppRunner:
    def __init__(self, session: PhoneSession, apk: Path | None = None, sustained_performance: bool = False):
        self.session, self.apk, self.sustained_performance = session, apk, sustained_performance
        self._ready: dict[str, int | None | DeviceError] = {}  # package -> its versionCode, or why it cannot run

    def prepare(self) -> None:
        """Install or update each flavor's APK when android-app/ is newer, then wake the screen (a foreground
        activity needs it on). A flavor that cannot be installed fails only its cells, unless none can."""
        problems = []
        for flavor in app_build.flavors():
            try:
                self._ready_flavor(flavor)
            except DeviceError as problem:
                problems.append(problem)
        if len(problems) == len(app_build.flavors()):
            raise problems[0]
        self.session.link.command(["input", "keyevent", "KEYCODE_WAKEUP"])

    def runtime_binary(self, runtime: str, abi: str) -> RuntimeBinary | None:
        """The native libraries, for ``abi``, of the APK this run installs for ``runtime``, when that file is here."""
        flavor = app_build.flavor_for(runtime)
        apk = flavor.apk(self.apk)
        return app_binary(apk, flavor.package, abi) if apk.is_file() else None

    def installed_version_code(self, package: str) -> int | None:
        return reports.parse_version_code(self.session.link.command(["dumpsys", "package", package]).text)

    def _ready_flavor(self, flavor: Flavor) -> int | None:
        if flavor.package not in self._ready:
            try:
                self._ready[flavor.package] = self._install_if_needed(flavor)
                # A start without a request makes the app create its files folder (getExternalFilesDir),
                # which the harness then pushes into; the app logs the missing request and finishes.
                self.session.link.output(["am", "start", "-W", "-S", "-n", flavor.activity])
            except DeviceError as problem:
                self._ready[flavor.package] = problem
        ready = self._ready[flavor.package]
        if isinstance(ready, DeviceError):
            raise ready
        return ready

    def _install_if_needed(self, flavor: Flavor) -> int | None:
        installed, wanted = self.installed_version_code(flavor.package), source_version_code()
        if installed is not None and (wanted is None or installed >= wanted):
            return installed
        apk = flavor.apk(self.apk)
        where = f"the mobile-bench app for {', '.join(flavor.runtimes)} ({flavor.package})"
        if not apk.is_file():
            state = "is not installed" if installed is None else f"on the phone is older (versionCode {installed} < {wanted})"
            raise DeviceError(f"{where} {state} on {self.session.name}, and there is no APK at {apk} to install: "
                              "run `make android-app` (needs an Android SDK), or use cli mode (--mode cli)")
        link = self.session.link
        remote = f"{self.session.folder}/{flavor.name}.apk"
        link.push(apk, remote)
        output = link.command(["pm", "install", "-r", "-t", remote], timeout=300).text
        if "Success" not in output:
            raise DeviceError(f"installing {apk} on {self.session.name} failed: {output.strip()[-500:]}")
        now = self.installed_version_code(flavor.package)
        if wanted is not None and (now is None or now < wanted):
            raise DeviceError(f"{apk} is older than android-app/version.properties (versionCode {now} < {wanted}): "
                              "rebuild it with `make android-app`")
        compiled = link.command(["cmd", "package", "compile", "-m", "speed", "-f", flavor.package], timeout=300).text
        if "Success" not in compiled:
            self.session.note(f"ahead-of-time compilation of {flavor.package} did not succeed: {compiled.strip()[-200:]}")
        self.session.note(f"installed {flavor.package} (versionCode {now}, was {installed})")
        return now

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        wanted = self.sustained_performance
        result = self.run_message({**request.to_json(), "sustained_performance": wanted}, files, launch)
        if wanted and result.ok and not result.shell.get("sustained_performance"):
            self.session.note("sustained-performance mode was asked for, but this phone does not support it")
        return result

    def run_message(self, message: dict, files: dict[str, Path], launch: Launch) -> Result:
        """Any request message, valid or not: the conformance suite sends broken ones on purpose."""
        flavor = app_build.flavor_for(str(message.get("runtime", "")))
        version_code = self._ready_flavor(flavor)
        link = self.session.link
        name = re.sub(r"[^\w.-]", "_", str(message.get("cell_id", "unnamed")))
        run_folder = f"{flavor.files_folder}/runs/{Path(self.session.folder).name}"
        folder = self.session.push_cell_files(name, files, under=run_folder)
        request_path = f"{folder}/request.json"
        with tempfile.TemporaryDirectory() as scratch:
            local = Path(scratch) / "request.json"
            write_json_atomic(local, message)
            link.push(local, request_path)
        result_path = f"{flavor.files_folder}/results/{name}-{secrets.token_hex(4)}.json"
        marker = f"harness: start {Path(result_path).name}"
        link.command(["log", "-t", app_build.log_tag(), marker])
        started = link.output(["am", "start", "-W", "-S", "-n", flavor.activity,
                              "--es", "request", request_path, "--es", "result", result_path])
        error = reports.parse_am_start_error(started)
        if error:
            raise DeviceError(f"the app did not start: {error}")
        try:
            pss_peak = self._wait(flavor, result_path, launch.timeout_seconds)
        except DeviceError as problem:
            raise type(problem)(f"{problem}{self._app_log(marker)}") from None
        text = link.pull_text(result_path)
        link.command(["rm", "-f", result_path])
        try:
            result = Result.from_json(json.loads(text))
        except (ProtocolError, json.JSONDecodeError) as problem:
            raise DeviceError(f"the app wrote an invalid result: {problem}") from None
        shell = {**result.shell, "package": flavor.package, "version_code": version_code}
        memory = result.memory.model_copy(update={"pss_peak_sampled_bytes": pss_peak})
        return result.model_copy(update={"memory": memory, "shell": shell})

    def _wait(self, flavor: Flavor, result_path: str, timeout: float) -> int | None:
        """Poll until the result exists. PSS is sampled only while the app's phase file does not say "timed":
        `dumpsys meminfo` calls into the app and walks its memory map, which would disturb the timed loop."""
        link, deadline, pss_peak, gone = self.session.link, time.monotonic() + timeout, None, 0
        phase_file = quote([f"{result_path}.phase"])
        poll = (f"test -f {quote([result_path])} && echo {_DONE}; pidof {flavor.package} >/dev/null || echo {_GONE}; "
                f"p=$(cat {phase_file} 2>/dev/null); echo {_PHASE} $p; "
                f"[ \"$p\" = timed ] || dumpsys meminfo {flavor.package}; echo {_AFTER} $(cat {phase_file} 2>/dev/null)")
        while time.monotonic() < deadline:
            text = link.script(poll).text
            if _DONE in text:
                return pss_peak
            before, after = _phase(text, _PHASE), _phase(text, _AFTER)
            if before != "timed":
                if after == "timed":
                    self.session.note("a PSS sample overlapped the start of the timed loop")
                pss = reports.parse_meminfo_pss_bytes(text)
                pss_peak = max(pss_peak or 0, pss) if pss else pss_peak
            gone = gone + 1 if _GONE in text else 0
            if gone >= _GRACE_POLLS:
                raise DeviceError("the app exited without writing a result")
            time.sleep(POLL_SECONDS)
        raise CommandTimeout(f"the app wrote no result within {timeout:.0f}s")

    def _app_log(self, marker: str) -> str:
        """The app's log lines (and crashes) since this cell's start marker, for an error: why it wrote nothing."""
        try:
            text = self.session.link.command(["logcat", "-d", "-s", f"{app_build.log_tag()}:*", "AndroidRuntime:E"]).text
        except DeviceError:
            return ""
        lines = text.splitlines()
        starts = [i for i, line in enumerate(lines) if marker in line]
        lines = [line.strip() for line in lines[starts[-1] + 1:]] if starts else []
        return f"; the app's log: {' | '.join(lines[-_LOG_LINES:])}" if lines else "; the app logged nothing"

    def cleanup(self) -> None:
        """Remove this run's cell folders from each app's files folder."""
        run = Path(self.session.folder).name
        for flavor in app_build.flavors():
            if flavor.package in self._ready:
                try:
                    self.session.link.command(["rm", "-rf", f"{flavor.files_folder}/runs/{run}"])
                except DeviceError:
                    pass

    def stop(self, request: Request) -> None:
        try:
            self.session.link.command(["am", "force-stop", app_build.flavor_for(request.runtime).package])
        except DeviceError:
            pass


def _phase(text: str, label: str) -> str | None:
    match = re.search(rf"^{label} ?(\S*)$", text, re.MULTILINE)
    return match.group(1) or None if match else None
