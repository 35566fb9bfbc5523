"""The host's native mode: cells run by a runtime's C++ runner (native/<runtime>/), built on the runtime's own
wheel, with no Python in the process measured. A runtime names its runner in `Runtime.native_runner`;
`make native-runners` builds them into build/native/, and $HARNESS_NATIVE_BUILD names another build folder."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from harness.errors import DeviceError
from harness.runtime_size import RuntimeBinary, file_digest, loaded_libraries, measured, package_folder
from harness.runtimes import all_runtimes, runtime
from harness.size import binary_sizes

REPO = Path(__file__).resolve().parents[2]
# ExecuTorch's runner linking no kernel library: all a program needs when XNNPACK takes every operator.
DELEGATES_ONLY = "_delegates_only"


def native_runtimes() -> frozenset[str]:
    return frozenset(r.name for r in all_runtimes() if r.native_runner)


def build_folder() -> Path:
    return Path(os.environ.get("HARNESS_NATIVE_BUILD") or REPO / "build/native")


def runner_path(runtime_name: str, delegates_only: bool = False) -> Path:
    """The built runner of a runtime; a missing one stops the cell with how to build it."""
    name = runtime(runtime_name).native_runner
    if name is None:
        raise DeviceError(f"{runtime_name} has no native runner on the host; the native runners run "
                          f"{', '.join(sorted(native_runtimes()))}")
    path = build_folder() / (name + (DELEGATES_ONLY if delegates_only else ""))
    if not path.is_file():
        raise DeviceError(f"the native {runtime_name} runner is not built at {path}: run `make native-runners` "
                          "(needs g++, cmake from the test extra, and Debian's nlohmann-json3-dev)")
    return path


def runner_binary(runtime_name: str, delegates_only: bool = False) -> RuntimeBinary | None:
    """The runner and the libraries it loads from its runtime's package (ldd): all of the runtime it needs; None
    when it is not built. ``delegates_only``: ExecuTorch's build with no kernel library (a selective build for an
    empty operator list)."""
    entry = runtime(runtime_name).host_native_module
    folder = package_folder(entry[0]) if entry else None
    try:
        runner = runner_path(runtime_name, delegates_only)
    except DeviceError:
        return None
    if folder is None:
        return None
    files = loaded_libraries(runner, folder)
    kind = "selective" if delegates_only else "full"
    return measured(f"native:{runner.name}:{file_digest([runner])}:{platform.machine()}", kind,
                    platform.machine(), [size for path in files for size in binary_sizes(path)])
