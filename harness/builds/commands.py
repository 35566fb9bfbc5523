"""The official selective-build commands of each runtime, generated from a run's operator lists.

They cannot run on this project's machines (no source trees, no NDK): they are written into the build
folder for a machine that has them, and their text is checked by golden tests.
"""

from __future__ import annotations

import shlex
from pathlib import Path

ANDROID_PLATFORM = "android-26"


def _line(words: list[str]) -> str:
    return " ".join(shlex.quote(word) for word in words)


def executorch(source: Path, ndk: Path, abi: str, operators: list[str], out: Path) -> list[str]:
    """ExecuTorch's CMake build of executor_runner (XNNPACK) for an Android ABI, size-optimised, registering only
    ``operators`` (EXECUTORCH_SELECT_OPS_LIST takes the names; EXECUTORCH_SELECT_OPS_YAML a functions.yaml)."""
    selection = [f"-DEXECUTORCH_SELECT_OPS_LIST={','.join(operators)}"] if operators else \
        ["-DEXECUTORCH_BUILD_KERNELS_OPTIMIZED=OFF", "-DEXECUTORCH_SELECT_OPS_LIST="]
    configure = ["cmake", "-S", str(source), "-B", str(out / "cmake-out"),
                 f"-DCMAKE_TOOLCHAIN_FILE={ndk}/build/cmake/android.toolchain.cmake", f"-DANDROID_ABI={abi}",
                 f"-DANDROID_PLATFORM={ANDROID_PLATFORM}", "-DCMAKE_BUILD_TYPE=MinSizeRel",
                 "-DEXECUTORCH_OPTIMIZE_SIZE=ON", "-DEXECUTORCH_BUILD_XNNPACK=ON",
                 "-DEXECUTORCH_BUILD_EXECUTOR_RUNNER=ON", "-DEXECUTORCH_BUILD_EXTENSION_MODULE=ON", *selection]
    return [_line(configure), _line(["cmake", "--build", str(out / "cmake-out"), "-j", "--target", "executor_runner"])]


def litert(source: Path, abi: str, models: list[Path], out: Path) -> list[str]:
    """LiteRT's AAR with only the kernels ``models`` use (build_aar.sh --input_models), and benchmark_model."""
    return [_line(["cd", str(source)]),
            _line(["bash", "tensorflow/lite/tools/build_aar.sh", f"--input_models={','.join(str(m) for m in models)}",
                   f"--target_archs={abi}"]),
            _line(["bazel", "build", "-c", "opt", "--config=android_arm64" if abi == "arm64-v8a" else "--config=android_arm",
                   "//tensorflow/lite/tools/benchmark:benchmark_model"]),
            _line(["cp", "bazel-bin/tmp/tensorflow-lite.aar", "bazel-bin/tensorflow/lite/tools/benchmark/benchmark_model",
                   str(out)])]


def torchscript(source: Path, ndk: Path, abi: str, operator_list: Path, out: Path) -> list[str]:
    """PyTorch's lite-interpreter build for Android with only the root operators in ``operator_list``."""
    return [_line(["cd", str(source)]),
            _line(["env", f"ANDROID_NDK={ndk}", f"ANDROID_ABI={abi}", "BUILD_LITE_INTERPRETER=1",
                   f"SELECTED_OP_LIST={operator_list}", "bash", "scripts/build_android.sh"]),
            _line(["cp", "-r", "build_android/install/lib", str(out)])]
