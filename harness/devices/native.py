"""The host's native mode: ExecuTorch cells run by native/executorch_runner, a C++ program on the
executorch wheel's own libraries, with no Python in the process measured. `make native-runner` builds it
into build/executorch_runner/; $HARNESS_NATIVE_RUNNER names another build."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from harness.errors import DeviceError
from harness.runtime_size import RuntimeBinary, file_digest, loaded_libraries, measured, package_folder
from harness.size import binary_sizes

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RUNNER = REPO / "build/executorch_runner/executorch_runner"
# The same runner linking no kernel library: all a program needs when XNNPACK takes every operator.
DELEGATES_ONLY_RUNNER = REPO / "build/executorch_runner/executorch_runner_delegates_only"
NATIVE_RUNTIMES = frozenset({"executorch"})


def runner_path() -> Path:
    """The built runner; a missing one stops the cell with how to build it."""
    path = Path(os.environ.get("HARNESS_NATIVE_RUNNER") or DEFAULT_RUNNER)
    if not path.is_file():
        raise DeviceError(f"the native ExecuTorch runner is not built at {path}: run `make native-runner` "
                          "(needs g++, cmake from the test extra, and Debian's nlohmann-json3-dev)")
    return path


def runner_binary(delegates_only: bool = False) -> RuntimeBinary | None:
    """The runner and the libraries it loads from the executorch package (ldd): all of the runtime it needs.
    ``delegates_only``: the build with no kernel library (a selective build for an empty operator list)."""
    folder = package_folder("executorch")
    try:
        runner = DELEGATES_ONLY_RUNNER if delegates_only else runner_path()
    except DeviceError:
        return None
    if folder is None or not runner.is_file():
        return None
    files = loaded_libraries(runner, folder)
    kind = "selective" if delegates_only else "full"
    return measured(f"native:{runner.name}:{file_digest([runner])}:{platform.machine()}", kind,
                    platform.machine(), [size for path in files for size in binary_sizes(path)])
