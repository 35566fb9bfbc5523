"""The source-build commands, generated from operator lists: golden text (they cannot run here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.builds import commands
from harness.builds.toolchains import Toolchains, load_toolchains
from harness.errors import ConfigError

OUT = Path("/builds/x")


def test_executorch_selects_the_listed_kernels_for_the_abi_size_optimised():
    assert commands.executorch(Path("/src/executorch"), Path("/ndk"), "arm64-v8a",
                               ["aten::addmm.out", "aten::relu.out"], OUT) == [
        "cmake -S /src/executorch -B /builds/x/cmake-out "
        "-DCMAKE_TOOLCHAIN_FILE=/ndk/build/cmake/android.toolchain.cmake -DANDROID_ABI=arm64-v8a "
        "-DANDROID_PLATFORM=android-26 -DCMAKE_BUILD_TYPE=MinSizeRel -DEXECUTORCH_OPTIMIZE_SIZE=ON "
        "-DEXECUTORCH_BUILD_XNNPACK=ON -DEXECUTORCH_BUILD_EXECUTOR_RUNNER=ON -DEXECUTORCH_BUILD_EXTENSION_MODULE=ON "
        "-DEXECUTORCH_SELECT_OPS_LIST=aten::addmm.out,aten::relu.out",
        "cmake --build /builds/x/cmake-out -j --target executor_runner"]


def test_executorch_with_everything_delegated_links_no_kernel_library():
    configure = commands.executorch(Path("/src/et"), Path("/ndk"), "arm64-v8a", [], OUT)[0]
    assert configure.endswith("-DEXECUTORCH_BUILD_KERNELS_OPTIMIZED=OFF -DEXECUTORCH_SELECT_OPS_LIST=")


def test_litert_builds_the_aar_from_the_run_models_and_benchmark_model():
    assert commands.litert(Path("/src/tf"), "arm64-v8a", [Path("/c/a.tflite"), Path("/c/b.tflite")], OUT) == [
        "cd /src/tf",
        "bash tensorflow/lite/tools/build_aar.sh --input_models=/c/a.tflite,/c/b.tflite --target_archs=arm64-v8a",
        "bazel build -c opt --config=android_arm64 //tensorflow/lite/tools/benchmark:benchmark_model",
        "cp bazel-bin/tmp/tensorflow-lite.aar bazel-bin/tensorflow/lite/tools/benchmark/benchmark_model /builds/x"]


def test_the_lite_interpreter_uses_the_root_operator_list():
    assert commands.torchscript(Path("/src/pytorch"), Path("/ndk"), "armeabi-v7a", Path("/run/ops.yaml"), OUT) == [
        "cd /src/pytorch",
        "env ANDROID_NDK=/ndk ANDROID_ABI=armeabi-v7a BUILD_LITE_INTERPRETER=1 SELECTED_OP_LIST=/run/ops.yaml "
        "bash scripts/build_android.sh",
        "cp -r build_android/install/lib /builds/x"]


def test_a_missing_checkout_stops_with_one_line_saying_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("EXECUTORCH_SOURCE", raising=False)
    with pytest.raises(ConfigError) as raised:
        Toolchains().require("executorch_source")
    message = str(raised.value)
    assert "\n" not in message and "EXECUTORCH_SOURCE" in message and "git clone" in message


def test_environment_variables_override_the_file(tmp_path, monkeypatch):
    file = tmp_path / "toolchains.yaml"
    file.write_text(f"android_ndk: {tmp_path}\nexecutorch_source: /nowhere\n")
    monkeypatch.setenv("EXECUTORCH_SOURCE", str(tmp_path))
    toolchains = load_toolchains(file)
    assert toolchains.require("executorch_source") == tmp_path and toolchains.require("android_ndk") == tmp_path
    file.write_text("unknown_tool: 1\n")
    with pytest.raises(ConfigError, match="not a toolchains file"):
        load_toolchains(file)
