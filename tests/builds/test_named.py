"""A named runtime build is checked before anything runs, and each problem is one line saying what to do: through
`harness bench --runtime-build` (in-process, as tests/test_cli_bad_input.py runs it) and a devices entry's
`runtime_builds:`. What happens on the phone: tests/devices/android/test_runtime_builds.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.builds.manifest import MANIFEST_FILE
from harness.builds.named import load_named_build, named_builds
from harness.cli import main
from harness.errors import ConfigError, DeviceError
from tests.fixtures.native_binaries import shared_library
from tests.fixtures.runtime_builds import manifest_of, rewrite_manifest, write_build

MATRIX = "models: [gru]\nruntimes: [executorch]\n"


@pytest.fixture
def bench_args(tmp_path):
    """`harness bench` on a phone in cli mode, up to the --runtime-build flags (no phone is reached before them)."""
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / "devices.yaml").write_text("pixel:\n  platform: android\n  serial: 127.0.0.1:1\n  mode: cli\n")
    return ["bench", "--matrix", str(tmp_path / "matrix.yaml"), "--devices", str(tmp_path / "devices.yaml"),
            "--device", "pixel", "--results", str(tmp_path / "results"), "--cache-dir", str(tmp_path / "cache")]


def _status_commands(folder: Path) -> None:
    rewrite_manifest(folder, status="commands", commands=["cmake -S et -B out"])


def _tool_not_listed(folder: Path) -> None:
    rewrite_manifest(folder, files=[f for f in manifest_of(folder).files if not f.path.endswith("executor_runner")])


def _tool_changed(folder: Path) -> None:
    tool = folder / "executor_runner"
    tool.write_text(tool.read_text() + "# rebuilt after the manifest was written\n")


BROKEN = {
    "absent": (shutil.rmtree, "no such build folder"),
    "no manifest": (lambda folder: (folder / MANIFEST_FILE).unlink(), "cannot read its manifest.json"),
    "garbled manifest": (lambda folder: (folder / MANIFEST_FILE).write_text("{\"key\": "), "is not a build manifest"),
    "commands only": (_status_commands, "its status is commands, not built: its commands were written, not run"),
    "generated only": (lambda folder: rewrite_manifest(folder, status="generated"), "only sources were generated"),
    "unknown runtime": (lambda folder: rewrite_manifest(folder, runtime="mystery"), "a build of unknown runtime"),
    "tool not listed": (_tool_not_listed, "its manifest lists no executor_runner, the tool cli mode runs"),
    "tool changed": (_tool_changed, "executor_runner changed after the build was measured"),
    "tool gone": (lambda folder: (folder / "executor_runner").unlink(), "which its manifest lists, is missing"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_bad_build_is_one_line_naming_it_and_exit_2(case, bench_args, tmp_path, capsys):
    folder = write_build(tmp_path / "builds", "executorch")
    breaks, said = BROKEN[case]
    breaks(folder)
    code = main([*bench_args, "--runtime-build", str(folder)])
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert code == 2 and line.startswith(f"harness: error: --runtime-build {folder}: ") and said in line, line
    assert captured.out == "" and not (tmp_path / "results").exists()  # refused before a run folder is made


def test_a_build_of_commands_only_points_at_the_docs(tmp_path):
    folder = write_build(tmp_path / "builds", "litert")
    _status_commands(folder)
    with pytest.raises(ConfigError, match=r"run its build.sh on a machine with the checkouts .*\(docs/size.md\)"):
        load_named_build(folder, "--runtime-build")


def test_two_builds_for_one_runtime_are_refused(bench_args, tmp_path, capsys):
    first, second = (write_build(tmp_path / "builds", "executorch", label=label) for label in "ab")
    assert main([*bench_args, "--runtime-build", str(first), "--runtime-build", str(second)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"harness: error: --runtime-build names two executorch builds, {first} and {second}: "
                    "name one build per runtime")


@pytest.mark.parametrize("where", [["--device", "host"], ["--mode", "app"]])
def test_a_build_for_no_phone_in_cli_mode_is_refused(where, bench_args, tmp_path, capsys):
    folder = write_build(tmp_path / "builds", "executorch")
    assert main([*bench_args, *where, "--runtime-build", str(folder)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("harness: error: --runtime-build: a build's tools run only on a phone in cli mode")


def test_the_flag_replaces_the_entrys_build_of_its_runtime_and_keeps_the_others(tmp_path):
    entry_et, entry_lite, flag_et = (write_build(tmp_path / "builds", runtime, label=label)
                                     for runtime, label in (("executorch", "entry"), ("litert", "entry"),
                                                            ("executorch", "flag")))
    builds = named_builds([entry_et, entry_lite], [flag_et], "pixel")
    assert {runtime: build.folder for runtime, build in builds.items()} == {"executorch": flag_et, "litert": entry_lite}
    assert builds["litert"].named_by == "runtime_builds of device pixel"
    with pytest.raises(ConfigError, match="runtime_builds of device pixel names two executorch builds"):
        named_builds([entry_et, flag_et], [], "pixel")


def test_the_build_counts_its_tool_and_libraries_and_checks_the_phone_abi(tmp_path):
    library = shared_library(tmp_path, "libextra.so")
    build = load_named_build(write_build(tmp_path / "builds", "executorch", libraries=(library,)), "--runtime-build")
    manifest = build.manifest
    assert build.build_id == f"build:executorch:arm64-v8a:selective-{manifest.key}"
    assert [Path(f.path).name for f in build.files] == ["executor_runner", "libextra.so"]
    assert build.record() == {"runtime": "executorch", "path": str(build.folder.resolve()), "key": manifest.key,
                              "kind": "selective", "abi": "arm64-v8a", "tool_sha256": build.tool.sha256}
    build.check_abi("arm64-v8a", "pixel")
    with pytest.raises(DeviceError, match="is built for arm64-v8a, but pixel is x86_64: name a build for x86_64"):
        build.check_abi("x86_64", "pixel")
