"""An Android phone over adb: facts, state and hygiene readings, and cells run in app or cli mode."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from harness.builds.named import NamedBuild, named_builds
from harness.devices.android import reports
from harness.devices.android.app_mode import AppRunner
from harness.devices.android.cli_mode import CliRunner
from harness.devices.android.link import AdbLink, CommandTimeout, files_script, parse_files
from harness.devices.android.session import PhoneSession
from harness.devices.base import Launch
from harness.devices.phone import PhoneDevice
from harness.devices.state import DeviceState, linux_state
from harness.errors import DeviceError
from harness.protocol import Request, Result
from harness.runtime_size import RuntimeBinary

CPU_FOLDER = "/sys/devices/system/cpu"
THERMAL_ZONES = 32
_SECTION = "__HARNESS_SECTION__"
_CLOCK_TICKS = 100  # USER_HZ on Android kernels


def _state_paths(cpu_count: int) -> list[str]:
    paths = ["/proc/stat", "/proc/loadavg"]
    for cpu in range(cpu_count):
        paths += [f"{CPU_FOLDER}/cpu{cpu}/cpufreq/scaling_cur_freq", f"{CPU_FOLDER}/cpu{cpu}/cpufreq/scaling_governor"]
    return paths + [f"/sys/class/thermal/thermal_zone{zone}/temp" for zone in range(THERMAL_ZONES)]


class AndroidDevice(PhoneDevice):
    platform = "android"
    delegates = frozenset({"xnnpack", "none", "gpu", "nnapi"})

    def __init__(self, name: str, entry, mode: str | None = None, runtime_builds: Sequence[Path] = ()):
        super().__init__(name)
        self.entry = entry
        self.mode = mode or entry.mode
        if self.mode not in ("app", "cli"):
            raise DeviceError(f"device {name} runs cells in app or cli mode, not {self.mode!r}")
        # Only cli mode runs the runtimes' tools; checked here, before anything is converted.
        self._builds = named_builds(entry.runtime_builds, runtime_builds, name) if self.mode == "cli" else {}
        self._cpu_count: int | None = None
        self._runner: AppRunner | CliRunner | None = None
        self.run_folder: str | None = None

    # -- the link ----------------------------------------------------------------------------------------
    @property
    def link(self) -> AdbLink:
        if self._link is None:
            self._link = AdbLink(self.entry.serial)
        return self._link

    def settings(self) -> dict[str, str]:
        """What the alias asks for, without reaching the phone."""
        return {"serial": self.entry.serial, "mode": self.mode}

    @property
    def cpu_count(self) -> int:
        if self._cpu_count is None:
            possible = self.retried(lambda: self.link.read_files([f"{CPU_FOLDER}/possible"]), "reading the CPU list")
            self._cpu_count = len(reports.parse_cpu_list(possible[f"{CPU_FOLDER}/possible"])) or 1
        return self._cpu_count

    # -- what it is --------------------------------------------------------------------------------------
    def facts(self) -> dict[str, str | int | float | None]:
        props = reports.parse_getprop(self.retried(lambda: self.link.output(["getprop"]), "reading properties"))
        meminfo = self.retried(lambda: self.link.read_files(["/proc/meminfo"]), "reading memory")["/proc/meminfo"] or ""
        total = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
        model = " ".join(p for p in (props.get("ro.product.manufacturer"), props.get("ro.product.model")) if p)
        return {
            "device_model": model or None, "serial": self.link.serial,
            "soc": props.get("ro.soc.model") or props.get("ro.board.platform") or props.get("ro.hardware"),
            "abi": props.get("ro.product.cpu.abi"),
            "os": f"Android {props.get('ro.build.version.release')} (SDK {props.get('ro.build.version.sdk')})",
            "cpu_count": self.cpu_count, "memory_bytes": int(total.group(1)) * 1024 if total else None,
            "execution_mode": self.mode,
        }

    def runtime_binary(self, runtime: str, mode: str | None = None) -> RuntimeBinary | None:
        if self._runner is None:
            return None
        return self._runner.runtime_binary(runtime, self._abi())

    def _abi(self) -> str:
        return self.retried(lambda: self.link.output(["getprop", "ro.product.cpu.abi"]), "reading the ABI").strip()

    def big_cores(self) -> tuple[int, ...]:
        """The CPUs with the highest maximum frequency."""
        paths = [f"{CPU_FOLDER}/cpu{cpu}/cpufreq/cpuinfo_max_freq" for cpu in range(self.cpu_count)]
        found = self.retried(lambda: self.link.read_files(paths), "reading CPU frequencies")
        freqs = {cpu: int(found[path]) for cpu, path in enumerate(paths) if found[path]}
        if not freqs:
            raise DeviceError(f"{self.name}: cannot read cpuinfo_max_freq, so cannot find the big cores")
        top = max(freqs.values())
        return tuple(cpu for cpu, freq in sorted(freqs.items()) if freq == top)

    def cpu_affinity(self, requested: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if self.mode != "cli":
            return None  # the shell user cannot pin an app's process
        return self.big_cores() if self.entry.pin_big_cores else requested

    def offers_operator_profile(self, runtime_name: str, mode: str | None = None) -> bool:
        """In cli mode, where the runtime's own tool prints an operator profile; the app does not profile yet."""
        if self.mode != "cli":
            return False
        from harness.runtimes import runtime

        tool = runtime(runtime_name).load_tool()
        return tool is not None and tool.profiles_operators

    # -- state -------------------------------------------------------------------------------------------
    def state(self) -> DeviceState:
        return self.retried(self._read_state, "reading the device state")

    def _read_state(self) -> DeviceState:
        paths = _state_paths(self.cpu_count)  # one round trip: the files, then each report after a marker
        sections = self.link.script(
            f"{files_script(paths)}; echo {_SECTION}; dumpsys battery; echo {_SECTION}; dumpsys thermalservice; "
            f"echo {_SECTION}; dumpsys power | grep -E 'mWakefulness=|Display Power'").text.split(_SECTION)
        files_text, battery_text, thermal_text, power_text = (sections + ["", "", "", ""])[:4]
        files = parse_files(files_text, paths)
        battery, thermal = reports.parse_battery(battery_text), reports.parse_thermalservice(thermal_text)
        if battery.updates_stopped:
            self.note("dumpsys battery: updates stopped, so its values were set by `dumpsys battery set`")
        sources, hal = {"battery_temperature_c": "dumpsys battery", "battery_level_pct": "dumpsys battery"}, {}
        hottest_cpu = thermal.hottest(reports.TYPE_CPU)  # preferred over the raw thermal zones
        if hottest_cpu:
            hal = {"temperature_c": hottest_cpu.celsius}
            sources["temperature_c"] = f"dumpsys thermalservice ({hottest_cpu.name})"
        return linux_state(
            files.get, self.cpu_count, _CLOCK_TICKS, THERMAL_ZONES, sources,
            **hal, battery_level_pct=battery.level_pct, battery_temperature_c=battery.temperature_c,
            battery_charging=battery.charging, thermal_status=thermal.status,
            screen_on=reports.parse_screen_on(power_text))

    # -- runs --------------------------------------------------------------------------------------------
    def runtime_builds(self) -> dict[str, NamedBuild]:
        return dict(self._builds)

    def open_run(self, run_id: str) -> None:
        if self._builds:
            abi = self._abi()
            for build in self._builds.values():
                build.check_abi(abi, self.name)
        self.run_folder = f"{self.entry.work_folder.rstrip('/')}/{run_id}"
        self._runner = self.runner(PhoneSession(self.name, self.link, self.run_folder, self.note))
        self.retried(lambda: self.link.output(["mkdir", "-p", self.run_folder]), "creating the work folder")
        self.retried(self._runner.prepare, f"preparing {self.mode} mode")

    def runner(self, session: PhoneSession) -> AppRunner | CliRunner:
        """The mode's runner, given only what it needs: the session and the alias's settings for that mode."""
        if self.mode == "app":
            return AppRunner(session, self.entry.apk, self.entry.sustained_performance)
        return CliRunner(session, self.entry.tools, self._builds)

    def reachable(self) -> bool:
        try:
            self.link.reconnect()
            return self.link.command(["true"]).exit_code == 0
        except DeviceError:
            return False

    def close_run(self) -> None:
        if self.run_folder is None or self._link is None:
            return
        if isinstance(self._runner, AppRunner):
            self._runner.cleanup()
        try:
            self.link.command(["rm", "-rf", self.run_folder])
        except DeviceError:
            pass  # the phone went away: the folder stays until a resumed run ends, or is removed by hand
        self.run_folder = None

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        if self._runner is None:
            raise DeviceError("open_run() must come before run()")
        try:
            return self.retried(lambda: self._runner.run(request, files, launch), f"cell {request.cell_id[:8]}")
        except CommandTimeout as error:
            self._runner.stop(request)
            raise DeviceError(f"{error}; stopped it") from None
