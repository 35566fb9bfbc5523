"""This machine's CPU, running each request in a fresh host shell process."""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from harness.child import ChildStep, read_step_outcome, run_child, run_child_measured
from harness.devices.base import Device, Launch
from harness.devices.native import native_runtimes, runner_binary, runner_path
from harness.devices.state import DeviceState, linux_state
from harness.errors import DeviceError, ProtocolError
from harness.forkserver import ForkServer, ForkServers
from harness.procfs import cpuinfo_values
from harness.protocol import Request, Result, read_result
from harness.runtime_size import RuntimeBinary, python_package_binary
from harness.runtimes import host_delegates, runtime


def read_local(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def cpu_model() -> str:
    names = cpuinfo_values(read_local("/proc/cpuinfo"), "model name")
    return names[0] if names else platform.processor() or platform.machine()


def memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None


def shell_environment(threads: int) -> dict[str, str]:
    """Keep every thread pool the runtimes might start at the cell's thread count."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


class HostDevice(Device):
    platform = "host"
    modes = frozenset({"process", "native"})  # the Python shell, and the runtimes' C++ runners

    def __init__(self, name: str, mode: str | None = None):
        super().__init__(name)
        self.mode = "native" if mode == "native" else "process"  # app and cli are phones' modes
        self.delegates = host_delegates()  # what the host builds of the registered runtimes apply
        self._servers = ForkServers()
        self._binaries: dict[tuple[str, bool], RuntimeBinary | None] = {}

    def facts(self) -> dict[str, str | int | float | None]:
        return {"device_model": cpu_model(), "os": f"{platform.system()} {platform.release()}",
                "abi": platform.machine(), "cpu_count": os.cpu_count(), "memory_bytes": memory_bytes(),
                "execution_mode": self.mode}

    @property
    def runtimes(self) -> frozenset[str]:
        return self.runtimes_in(None)

    def runtimes_in(self, mode: str | None) -> frozenset[str]:
        return native_runtimes() if (mode or self.mode) == "native" else super().runtimes

    def runtime_binary(self, runtime_name: str, mode: str | None = None) -> RuntimeBinary | None:
        native = (mode or self.mode) == "native"
        if (runtime_name, native) not in self._binaries:
            self._binaries[runtime_name, native] = runner_binary(runtime_name) if native else \
                python_package_binary(runtime(runtime_name), platform.machine())
        return self._binaries[runtime_name, native]

    def state(self) -> DeviceState:
        return linux_state(read_local, os.cpu_count() or 1, os.sysconf("SC_CLK_TCK"))

    def cpu_limit(self) -> int | None:
        return os.cpu_count()

    def cpu_affinity(self, requested: tuple[int, ...] | None) -> tuple[int, ...] | None:
        return requested or tuple(sorted(os.sched_getaffinity(0)))

    def peak_gflops(self, threads: int, cpu_affinity: tuple[int, ...] | None = None) -> float | None:
        from harness.shell.peak import PeakJob, PeakOutcome

        step = ChildStep("harness.shell.peak", "measuring the peak", DeviceError, 600, shell_environment(threads),
                         cpu_affinity)
        with tempfile.TemporaryDirectory(prefix="harness-peak-") as folder:
            outcome = run_child(step, PeakJob(), Path(folder) / "peak.json", read_step_outcome(PeakOutcome, step))
        return outcome.gflops

    def offers_operator_profile(self, runtime_name: str, mode: str | None = None) -> bool:
        return (mode or self.mode) == "process" and runtime(runtime_name).profiler is not None

    def prepare(self, request: Request, launch: Launch) -> bool:
        native = (launch.mode or self.mode) == "native"
        key = (request.runtime, request.threads)
        if native or launch.start != "fork" or self._servers.has(key):
            return False
        self._servers.start(key, shell_server(*key))
        return True

    def close_run(self) -> None:
        self._servers.stop()

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        with tempfile.TemporaryDirectory(prefix="harness-cell-") as folder:
            work = Path(folder)
            for relative, source in files.items():
                (work / relative).symlink_to(Path(source).resolve())
            if (launch.mode or self.mode) == "native":
                step = ChildStep("", f"the native {request.runtime} runner", DeviceError, launch.timeout_seconds,
                                 shell_environment(request.threads), launch.cpu_affinity,
                                 program=runner_path(request.runtime))
                return run_child(step, request.to_json(), work / "request.json", _read_shell_result)
            step = ChildStep("harness.shell.host", "the host shell", DeviceError, launch.timeout_seconds,
                             shell_environment(request.threads), launch.cpu_affinity)
            key = (request.runtime, request.threads)
            forked = self._servers.lease(key, shell_server(*key)) if launch.start == "fork" else nullcontext()
            with forked as server:
                result, cpu_time_ns = run_child_measured(step, request.to_json(), work / "request.json",
                                                         _read_shell_result, fork_from=server)
            return _with_cpu_time(result, cpu_time_ns)


def shell_server(runtime_name: str, threads: int) -> Callable[[], ForkServer]:
    """How to start a fork server of host shells for a runtime and thread count (the thread pools' environment
    variables are read at import, so each count has its own server)."""
    return partial(ForkServer, "harness.shell.host", (runtime_name,), shell_environment(threads),
                   f"the {runtime_name} shell", DeviceError)


def _with_cpu_time(result: Result, cpu_time_ns: int | None) -> Result:
    """The shell's CPU time as its parent measured it: the shell's own figure, taken before it exits, leaves out
    the interpreter's teardown (heavy for shells that import torch), which would then count as other work."""
    return result if cpu_time_ns is None else result.model_copy(update={"cpu_time_ns": cpu_time_ns})


def _read_shell_result(path: Path) -> Result:
    try:
        return read_result(path)
    except ProtocolError as error:
        raise DeviceError(f"the host shell wrote an invalid result: {error}") from None
