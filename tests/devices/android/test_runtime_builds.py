"""Cli mode on the emulated phone with a named runtime build (build folders the tests write: tests/fixtures/
runtime_builds.py): its tool and libraries are what is pushed and run, rows and run.json say which build ran, a
resume needs the same builds, and a build for another ABI stops the run with one line. No real phone and no build
made from a runtime's sources is involved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import results
from harness.builds.named import load_named_build
from harness.devices.android.device import AndroidDevice
from harness.devices.inventory import AndroidEntry, ToolsEntry
from harness.errors import ConfigError, DeviceError
from tests.conftest import require
from tests.devices.android.test_bench_on_phone import _bench, _matrix
from tests.fixtures.native_binaries import shared_library
from tests.fixtures.phone.fake_tools import TOOLS, write_tool
from tests.fixtures.runtime_builds import manifest_of, write_build


@pytest.fixture
def plain_tools(tmp_path) -> ToolsEntry:
    """The stand-in tools under `tools:`, as the devices file names them."""
    (tmp_path / "tools").mkdir()
    return ToolsEntry(**{name: write_tool(tmp_path / "tools", name) for name in TOOLS})


def _device(phone, tools: ToolsEntry, entry_builds=(), flag_builds=()) -> AndroidDevice:
    entry = AndroidEntry(platform="android", serial=f"127.0.0.1:{phone.port}", mode="cli", tools=tools,
                         runtime_builds=list(entry_builds))
    return AndroidDevice("emulated", entry, runtime_builds=flag_builds)


@pytest.mark.parametrize("named_by", ["entry", "flag"])
def test_the_builds_tool_and_libraries_are_pushed_and_counted(named_by, phone, plain_tools, tmp_path):
    library = shared_library(tmp_path, "libextra.so")
    folder = write_build(tmp_path / "builds", "executorch", libraries=(library,))
    device = _device(phone, plain_tools, **{f"{named_by}_builds": [folder]})
    device.open_run("named-build")
    try:
        bin_folder = f"{device.run_folder}/bin"
        pushed = phone.local_path(f"{bin_folder}/executor_runner").read_bytes()
        assert pushed == (folder / "executor_runner").read_bytes() != Path(plain_tools.executor_runner).read_bytes()
        assert phone.local_path(f"{bin_folder}/executorch-libraries/libextra.so").read_bytes() == library.read_bytes()
        # No build names LiteRT: its tool is still the one under tools:.
        assert phone.local_path(f"{bin_folder}/benchmark_model").read_bytes() == \
            Path(plain_tools.benchmark_model).read_bytes()
        binary = device.runtime_binary("executorch")
    finally:
        device.close_run()
    manifest = manifest_of(folder)
    tool, listed_library = manifest.files
    assert binary is not None and binary.build_id == f"build:executorch:arm64-v8a:selective-{manifest.key}"
    assert (binary.build_kind, binary.abi) == ("selective", "arm64-v8a")
    assert binary.binary_bytes == tool.bytes + listed_library.bytes == len(pushed) + library.stat().st_size
    assert binary.stripped_bytes == tool.stripped_bytes + listed_library.stripped_bytes
    assert listed_library.stripped_bytes < listed_library.bytes


def test_a_build_for_another_abi_stops_the_run_before_anything_is_pushed(phone, plain_tools, tmp_path):
    folder = write_build(tmp_path / "builds", "executorch", abi="x86_64")
    device = _device(phone, plain_tools, flag_builds=[folder])
    with pytest.raises(DeviceError) as raised:
        device.open_run("wrong-abi")
    assert str(raised.value) == (f"--runtime-build {folder} is built for x86_64, but emulated is arm64-v8a: name a "
                                 "build for arm64-v8a (harness runtimes build --abi arm64-v8a)")
    assert not phone.local_path("/data/local/tmp/mobile-bench/wrong-abi").exists()


def test_a_tool_changed_after_the_device_opened_is_not_pushed(phone, plain_tools, tmp_path):
    folder = write_build(tmp_path / "builds", "executorch")
    device = _device(phone, plain_tools, flag_builds=[folder])
    (folder / "executor_runner").write_text("#!/bin/sh\necho replaced\n")
    try:
        with pytest.raises(ConfigError, match="executor_runner changed after the build was measured"):
            device.open_run("changed")
        assert not phone.local_path(f"{device.run_folder}/bin/executor_runner").exists()
    finally:
        device.close_run()


def _last_line(completed) -> str:
    return completed.stderr.strip().splitlines()[-1]


def test_rows_and_run_json_name_the_build_and_a_resume_needs_the_same(devices_file, phone, tmp_path, cache_dir):
    for module in ("torch", "executorch"):
        require(module)
    builds = tmp_path / "builds"
    executorch = write_build(builds, "executorch", libraries=(shared_library(tmp_path, "libextra.so"),))
    unused = write_build(builds, "litert")
    devices_file.write_text(devices_file.read_text() + f"  runtime_builds:\n    - {unused}\n")
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [executorch]"))
    flags = ("--mode", "cli", "--runtime-build", str(executorch))
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--run-id", "built", *flags)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (f"harness: warning: runtime_builds of device pixel {unused}: no litert cell runs on pixel in this matrix, "
            "so the build is not used") in completed.stderr.splitlines()

    run, manifest = tmp_path / "results" / "built", manifest_of(executorch)
    rows = results.load(run)
    assert len(rows) and set(rows.status) == {"ok"} and set(rows.shell.str.split().str[0]) == {"executor_runner"}
    assert set(rows.runtime_build_id) == {f"build:executorch:arm64-v8a:selective-{manifest.key}"}
    assert set(rows.runtime_build_kind) == {"selective"} and set(rows.runtime_abi) == {"arm64-v8a"}
    assert set(rows.runtime_binary_bytes) == {sum(f.bytes for f in manifest.files)}
    assert set(rows.runtime_binary_stripped_bytes) == {sum(f.stripped_bytes or 0 for f in manifest.files)}
    runs = [c for c in phone.commands_seen if "/bin/executor_runner" in c and "--model_path=" in c]
    assert runs and all("LD_LIBRARY_PATH=/data/local/tmp/mobile-bench/built/bin/executorch-libraries" in c for c in runs)
    recorded = json.loads((run / "run.json").read_text())["device"]["runtime_builds"]
    assert recorded == [load_named_build(executorch, "--runtime-build").record()]  # the unused LiteRT build is not

    other = write_build(builds, "executorch", label="other")
    for resumed_with in (("--runtime-build", str(other)), ()):
        refused = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--mode", "cli", "--resume", str(run),
                         *resumed_with)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert _last_line(refused).startswith(f"harness: error: {run}: --resume refused: it was run on other runtime "
                                              f"builds: pixel ran on {executorch.resolve()} (selective-{manifest.key})")
    again = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--resume", str(run), *flags)
    assert again.returncode == 0 and "already recorded" in again.stdout, again.stderr[-3000:]


def test_bench_with_a_build_for_another_abi_is_one_line_and_exit_1(devices_file, phone, tmp_path, cache_dir):
    for module in ("torch", "executorch"):
        require(module)
    folder = write_build(tmp_path / "builds", "executorch", abi="armeabi-v7a")
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [executorch]"))
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--mode", "cli", "--runtime-build",
                       str(folder))
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert _last_line(completed) == (f"harness: error: --runtime-build {folder} is built for armeabi-v7a, but pixel is "
                                     "arm64-v8a: name a build for arm64-v8a (harness runtimes build --abi arm64-v8a)")
