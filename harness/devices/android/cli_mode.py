"""Cli mode: each runtime's own command-line benchmark tool, pushed to the phone and run from the shell.

A small script on the phone starts the tool in the background and samples its /proc status and
smaps_rollup every 50 ms until it exits, so memory is read from outside the tool the same way for
every runtime. The tool's output is parsed by `tool_output`.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.devices.android.link import quote
from harness.devices.android.tool_output import PARSERS
from harness.devices.android.tools import fetched_path
from harness.devices.base import Launch
from harness.errors import ConfigError, DeviceError
from harness.protocol import Memory, Request, Result, Timing

TOOLS = {"litert": "benchmark_model", "executorch": "executor_runner", "torchscript": "speed_benchmark_torch"}
SAMPLE_SECONDS = 0.05
_TFLITE_DELEGATE_FLAGS = {"xnnpack": ["--use_xnnpack=true"], "none": ["--use_xnnpack=false"],
                          "gpu": ["--use_xnnpack=false", "--use_gpu=true"],
                          "nnapi": ["--use_xnnpack=false", "--use_nnapi=true"]}
_TORCH_TYPES = {"float32": "float", "int64": "int64", "uint8": "uint8", "int8": "int8", "int32": "int"}


def tool_arguments(request: Request, model: str, folder: str) -> list[str]:
    """The tool's flags for a request: the same thread count, warm-ups and iterations as the app gets."""
    tool = TOOLS[request.runtime]
    if tool == "benchmark_model":
        return [f"--graph={model}", f"--num_threads={request.threads}", f"--warmup_runs={request.warmup_runs}",
                f"--num_runs={request.min_iterations}", f"--min_secs={request.min_seconds:g}",
                f"--max_secs={request.max_seconds:g}", *_TFLITE_DELEGATE_FLAGS[request.delegate]]
    if tool == "executor_runner":
        inputs = ",".join(f"{folder}/{i.path}" for i in request.inputs)
        # One extra execution: executor_runner has no warm-up flag, and its first execution is the first inference.
        return [f"--model_path={model}", f"--num_executions={request.min_iterations + 1}",
                f"--cpu_threads={request.threads}", f"--inputs={inputs}"]
    dims = ";".join(",".join(str(d) for d in i.shape) for i in request.inputs)
    types = ";".join(_TORCH_TYPES.get(i.dtype, i.dtype) for i in request.inputs)
    return [f"--model={model}", f"--input_dims={dims}", f"--input_type={types}", f"--warmup={request.warmup_runs}",
            f"--iter={request.min_iterations}", "--report_pep=true"]


def _memory(samples: str | None) -> Memory:
    def peak(field: str) -> int | None:
        values = [int(v) * 1024 for v in re.findall(rf"^{field}:\s+(\d+) kB", samples or "", re.MULTILINE)]
        return max(values) if values else None

    return Memory(peak_rss_bytes=peak("VmHWM"), rss_peak_sampled_bytes=peak("VmRSS"), pss_peak_sampled_bytes=peak("Pss"))


class CliRunner:
    def __init__(self, device):
        self.device = device
        self.tools: dict[str, str] = {}

    def prepare(self) -> None:
        """Push each available tool once per run."""
        self.device.link.check(["mkdir", "-p", f"{self.device.run_folder}/bin"])
        for runtime, tool in TOOLS.items():
            local = self._local_tool(tool)
            if local is None:
                continue
            remote = f"{self.device.run_folder}/bin/{tool}"
            self.device.link.push(local, remote, mode=0o755)
            self.tools[runtime] = remote

    def _local_tool(self, tool: str) -> Path | None:
        """The configured file, or for benchmark_model one `harness fetch-tool` downloaded for this ABI."""
        configured = getattr(self.device.entry.tools, tool)
        if configured is not None:
            if not Path(configured).is_file():
                raise ConfigError(f"tools.{tool} for device {self.device.name}: no such file {configured}")
            return Path(configured)
        if tool == "benchmark_model":
            fetched = fetched_path(self.device.link.check(["getprop", "ro.product.cpu.abi"]).strip())
            return fetched if fetched.is_file() else None
        return None

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        tool = TOOLS[request.runtime]
        if request.runtime not in self.tools:
            hint = " or run `harness fetch-tool`" if tool == "benchmark_model" else ""
            raise DeviceError(f"cli mode needs {tool}: set tools.{tool} for {self.device.name} in configs/devices.yaml{hint}")
        folder = self.device.push_cell_files(request.cell_id, files)
        command = [self.tools[request.runtime], *tool_arguments(request, f"{folder}/{request.model_path}", folder)]
        if launch.cpu_affinity:
            command = ["taskset", format(sum(1 << cpu for cpu in launch.cpu_affinity), "x"), *command]
        script = (f"cd {quote([folder])} && rm -f tool.out memory.txt tool.exit && "
                  f"{{ env OMP_NUM_THREADS={request.threads} {quote(command)} > tool.out 2>&1 & pid=$!; "
                  f"while kill -0 $pid 2>/dev/null; do "
                  f"grep -E '^(VmHWM|VmRSS):' /proc/$pid/status >> memory.txt 2>/dev/null; "
                  f"grep '^Pss:' /proc/$pid/smaps_rollup >> memory.txt 2>/dev/null; sleep {SAMPLE_SECONDS}; done; "
                  f"wait $pid; echo $? > tool.exit; }}")
        self.device.link.script(script, timeout=launch.timeout_seconds)
        found = self.device.link.read_files([f"{folder}/tool.out", f"{folder}/tool.exit", f"{folder}/memory.txt"])
        result, notes = _result(request, tool, found[f"{folder}/tool.out"] or "", found[f"{folder}/tool.exit"],
                                _memory(found[f"{folder}/memory.txt"]))
        self.device.note(*notes)
        return result

    def stop(self, request: Request) -> None:
        self.device.kill(f"{self.device.run_folder}/bin/{TOOLS[request.runtime]}")


def _result(request: Request, tool: str, output: str, exit_text: str | None, memory: Memory) -> tuple[Result, tuple]:
    parsed = PARSERS[tool](output, request.delegate)
    shell = {"name": tool, "version": "unknown", "platform": "android"}
    timing = Timing(f"{tool} (its own clock)", parsed.load_ns, parsed.first_inference_ns, parsed.samples_ns,
                    parsed.summary_ns)
    exit_code = int(exit_text) if exit_text and exit_text.strip().lstrip("-").isdigit() else None
    status, error = "ok", None
    if exit_code != 0 or not (parsed.samples_ns or parsed.summary_ns):
        status = "load_failed" if parsed.load_ns is None else "run_failed"
        tail = "\n".join(output.strip().splitlines()[-6:])
        error = f"{tool} exited with {exit_code if exit_code is not None else 'no exit code'}: {tail}"
    result = Result(request.cell_id, status, error, shell, request.runtime, None,
                    parsed.delegate_applied if status == "ok" else None, timing, memory)
    return result, parsed.notes
