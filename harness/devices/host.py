"""This machine's CPU, running each request in a fresh host shell process."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.devices.base import Device, Launch
from harness.devices.state import DeviceState, linux_state
from harness.errors import DeviceError, ProtocolError
from harness.protocol import Request, Result, read_result, write_json_atomic

_TAIL = 1500


def read_local(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def cpu_model() -> str:
    for line in (read_local("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


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
    runtimes = frozenset({"litert", "executorch", "torchscript"})
    delegates = frozenset({"xnnpack", "none"})

    def facts(self) -> dict[str, str | int | float | None]:
        return {"device_model": cpu_model(), "os": f"{platform.system()} {platform.release()}",
                "abi": platform.machine(), "cpu_count": os.cpu_count(), "memory_bytes": memory_bytes(),
                "execution_mode": self.mode}

    def state(self) -> DeviceState:
        return linux_state(read_local, os.cpu_count() or 1, os.sysconf("SC_CLK_TCK"))

    def cpu_affinity(self, requested: tuple[int, ...] | None) -> tuple[int, ...] | None:
        return requested or tuple(sorted(os.sched_getaffinity(0)))

    def peak_gflops(self, threads: int) -> float | None:
        command = [sys.executable, "-m", "harness.shell.peak"]
        completed = subprocess.run(command, capture_output=True, text=True, env=shell_environment(threads), timeout=600)
        if completed.returncode != 0:
            raise DeviceError(f"measuring the peak failed: {completed.stderr[-_TAIL:].strip()}")
        return json.loads(completed.stdout)["gflops"]

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        with tempfile.TemporaryDirectory(prefix="harness-cell-") as folder:
            work = Path(folder)
            for relative, source in files.items():
                (work / relative).symlink_to(Path(source).resolve())
            write_json_atomic(work / "request.json", request.to_json())
            command = [sys.executable, "-m", "harness.shell.host", str(work / "request.json"), str(work / "result.json")]
            pin = (lambda: os.sched_setaffinity(0, launch.cpu_affinity)) if launch.cpu_affinity else None
            try:
                process = subprocess.run(command, capture_output=True, text=True, timeout=launch.timeout_seconds,
                                         env=shell_environment(request.threads), preexec_fn=pin, check=False)
            except subprocess.TimeoutExpired:
                raise DeviceError(f"the host shell did not finish within {launch.timeout_seconds:.0f}s and was killed") from None
            if not (work / "result.json").is_file():
                tail = (process.stderr or "")[-_TAIL:].strip()
                raise DeviceError(f"the host shell exited with code {process.returncode} and wrote no result: {tail}")
            try:
                return read_result(work / "result.json")
            except ProtocolError as error:
                raise DeviceError(f"the host shell wrote an invalid result: {error}") from None
