"""Cli mode: each runtime's own command-line benchmark tool, pushed to the phone and run from the shell.

A small script on the phone starts the tool in the background and samples its /proc status and
smaps_rollup every 50 ms until it exits, so memory is read from outside the tool the same way for
every runtime. Each runtime's `tool.py` gives its tool's flags and reads what it prints. A named runtime build
(harness/builds/named.py) supplies its runtime's tool, and the shared libraries it lists, instead of `tools:`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.devices.android.link import quote
from harness.devices.android.session import PhoneSession
from harness.devices.android.tools import fetched_path
from harness.devices.base import Launch
from harness.devices.inventory import ToolsEntry
from harness.errors import ConfigError, DeviceError
from harness.procfs import kib_values
from harness.protocol import Memory, OperatorProfile, Request, Result, RuntimeReport, Timing
from harness.runtime_size import RuntimeBinary, tool_binary
from harness.runtimes import all_runtimes
from harness.runtimes.base import ToolRunner

if TYPE_CHECKING:
    from harness.builds.named import NamedBuild

SAMPLE_SECONDS = 0.05


def phone_tools() -> dict[str, ToolRunner]:
    """Each runtime's own command-line tool, by runtime name, for the runtimes that have one on phones."""
    return {r.name: tool for r in all_runtimes() if "android" in r.platforms and (tool := r.load_tool())}


def _memory(samples: str | None) -> Memory:
    def peak(field: str) -> int | None:
        return max(kib_values(samples, field), default=None)

    return Memory(peak_rss_bytes=peak("VmHWM"), rss_peak_sampled_bytes=peak("VmRSS"), pss_peak_sampled_bytes=peak("Pss"))


class CliRunner:
    def __init__(self, session: PhoneSession, tool_paths: ToolsEntry, builds: dict[str, NamedBuild] | None = None):
        self.session, self.tool_paths, self.builds = session, tool_paths, builds or {}
        self.tools = phone_tools()
        self.pushed: dict[str, str] = {}  # runtime -> the tool's path on the phone
        self.library_folders: dict[str, str] = {}  # runtime -> where its named build's libraries are on the phone

    def prepare(self) -> None:
        """Push each available tool once per run, and the libraries of a named build beside it."""
        link = self.session.link
        link.output(["mkdir", "-p", f"{self.session.folder}/bin"])
        for runtime, tool in self.tools.items():
            local = self._local_tool(runtime, tool)
            if local is None:
                continue
            if runtime in self.builds:
                self.builds[runtime].check_files()  # the bytes pushed are the bytes the manifest measured
                self._push_libraries(runtime, self.builds[runtime])
            remote = f"{self.session.folder}/bin/{tool.name}"
            link.push(local, remote, mode=0o755)
            self.pushed[runtime] = remote

    def _push_libraries(self, runtime: str, build: NamedBuild) -> None:
        if not build.libraries:
            return
        folder = f"{self.session.folder}/bin/{runtime}-libraries"
        self.session.link.output(["mkdir", "-p", folder])
        for library in build.libraries:
            self.session.link.push(Path(library.path), f"{folder}/{Path(library.path).name}")
        self.library_folders[runtime] = folder

    def _local_tool(self, runtime: str, tool: ToolRunner) -> Path | None:
        """A named build's tool; else the configured file, or one `harness fetch-tool` downloaded for this ABI."""
        if runtime in self.builds:
            return Path(self.builds[runtime].tool.path)
        configured = getattr(self.tool_paths, tool.name, None)
        if configured is not None:
            if not Path(configured).is_file():
                raise ConfigError(f"tools.{tool.name} for device {self.session.name}: no such file {configured}")
            return Path(configured)
        if tool.fetchable:
            fetched = fetched_path(self.session.link.output(["getprop", "ro.product.cpu.abi"]).strip())
            return fetched if fetched.is_file() else None
        return None

    def runtime_binary(self, runtime: str, abi: str) -> RuntimeBinary | None:
        """The tool pushed for ``runtime`` this run, with its named build's libraries."""
        tool = self.tools.get(runtime)
        local = self._local_tool(runtime, tool) if tool is not None and runtime in self.pushed else None
        if local is None or tool is None:
            return None
        return tool_binary(local, tool.name, abi, self.builds.get(runtime))

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        tool = self.tools.get(request.runtime)
        if tool is None or request.runtime not in self.pushed:
            name = tool.name if tool else f"{request.runtime}'s tool"
            hint = " or run `harness fetch-tool`" if tool and tool.fetchable else ""
            raise DeviceError(f"cli mode needs {name}: set tools.{name} for {self.session.name} in "
                              f"configs/devices.yaml{hint}")
        folder = self.session.push_cell_files(request.cell_id, files)
        command = [self.pushed[request.runtime], *tool.arguments(request, f"{folder}/{request.model.path}", folder)]
        if launch.cpu_affinity:
            command = ["taskset", format(sum(1 << cpu for cpu in launch.cpu_affinity), "x"), *command]
        script = (f"cd {quote([folder])} && rm -f tool.out memory.txt tool.exit && "
                  f"{{ env {quote(self._environment(request))} {quote(command)} > tool.out 2>&1 & pid=$!; "
                  f"while kill -0 $pid 2>/dev/null; do "
                  f"grep -E '^(VmHWM|VmRSS):' /proc/$pid/status >> memory.txt 2>/dev/null; "
                  f"grep '^Pss:' /proc/$pid/smaps_rollup >> memory.txt 2>/dev/null; sleep {SAMPLE_SECONDS}; done; "
                  f"wait $pid; echo $? > tool.exit; }}")
        self.session.link.script(script, timeout=launch.timeout_seconds)
        found = self.session.link.read_files([f"{folder}/tool.out", f"{folder}/tool.exit", f"{folder}/memory.txt"])
        result, notes = _result(request, tool, found[f"{folder}/tool.out"] or "", found[f"{folder}/tool.exit"],
                                _memory(found[f"{folder}/memory.txt"]))
        self.session.note(*notes)
        return result

    def _environment(self, request: Request) -> list[str]:
        libraries = self.library_folders.get(request.runtime)
        return [f"OMP_NUM_THREADS={request.threads}", *([f"LD_LIBRARY_PATH={libraries}"] if libraries else [])]

    def stop(self, request: Request) -> None:
        if request.runtime in self.pushed:
            self.session.kill(self.pushed[request.runtime])


def _result(request: Request, tool: ToolRunner, output: str, exit_text: str | None,
            memory: Memory) -> tuple[Result, tuple]:
    parsed = tool.parse(output, request.delegate)
    shell = {"name": tool.name, "version": "unknown", "platform": "android"}
    timing = Timing(clock=f"{tool.name} (its own clock)", load_ns=parsed.load_ns,
                    first_inference_ns=parsed.first_inference_ns, samples_ns=parsed.samples_ns,
                    summary_ns=parsed.summary_ns)
    exit_code = int(exit_text) if exit_text and exit_text.strip().lstrip("-").isdigit() else None
    status, error = "ok", None
    if exit_code != 0 or not (parsed.samples_ns or parsed.summary_ns):
        status = "load_failed" if parsed.load_ns is None else "run_failed"
        tail = "\n".join(output.strip().splitlines()[-6:])
        error = f"{tool.name} exited with {exit_code if exit_code is not None else 'no exit code'}: {tail}"
    result = Result(cell_id=request.cell_id, status=status, error=error, shell=shell,
                    runtime=RuntimeReport(name=request.runtime, version=None),
                    delegate_applied=parsed.delegate_applied if status == "ok" else None, timing=timing, memory=memory,
                    operator_profile=OperatorProfile.model_validate(parsed.operator_profile)
                    if parsed.operator_profile else None)
    return result, parsed.notes
