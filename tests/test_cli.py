from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def _harness(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_a_broken_matrix_is_one_line_with_file_and_line(write_matrix):
    path = write_matrix("models: [gru]\nruntimes: [litert, executorhc]\n")
    for command in ("bench", "plan"):
        completed = _harness(command, "--matrix", str(path))
        assert completed.returncode == 2
        assert completed.stderr.strip().splitlines() == [
            f"harness: error: {path}:2: runtimes[1]: unknown runtime 'executorhc'; did you mean 'executorch'? "
            "(known: executorch, litert, torchscript)"]
        assert completed.stdout == ""


def test_unknown_device_suggests(write_matrix):
    completed = _harness("plan", "--device", "hots")
    assert completed.returncode == 2 and "did you mean 'host'?" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_plan_lists_every_cell_and_skip_reasons(write_matrix, tmp_path):
    path = write_matrix("models: [mobilenet_v2]\nruntimes: [litert, torchscript]\ndelegates: [xnnpack, none]\n")
    completed = subprocess.run([sys.executable, "-m", "harness", "plan", "--matrix", str(path)], capture_output=True,
                               text=True, cwd=REPO, env={"HARNESS_CACHE_DIR": str(tmp_path / "cache"), "PATH": ""})
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0
    assert any(line.startswith("skip  mobilenet_v2/torchscript/fp32/xnnpack/t1") and "no xnnpack delegate" in line
               for line in lines)
    assert sum(line.startswith("run ") for line in lines) == 3
    assert lines[-1] == "4 cells on host: 3 to run, 1 skipped; 2 of 2 conversions to do"


def test_plan_takes_several_devices_from_the_command_line_or_the_matrix(write_matrix, tmp_path):
    devices = tmp_path / "devices.yaml"
    devices.write_text("cpu:\n  platform: host\n")
    path = write_matrix("models: [mobilenet_v2]\nruntimes: [litert]\ndevices: [cpu]\n")
    env = {"HARNESS_CACHE_DIR": str(tmp_path / "cache"), "PATH": ""}
    plan = [sys.executable, "-m", "harness", "plan", "--matrix", str(path), "--devices", str(devices)]
    from_matrix = subprocess.run(plan, capture_output=True, text=True, cwd=REPO, env=env)
    assert from_matrix.returncode == 0, from_matrix.stderr
    assert [line.split(":")[0] for line in from_matrix.stdout.splitlines() if " cells on " in line] == ["1 cells on cpu"]
    both = subprocess.run([*plan, "--device", "host,cpu"], capture_output=True, text=True, cwd=REPO, env=env)
    assert [line.split(":")[0] for line in both.stdout.splitlines() if " cells on " in line] == [
        "1 cells on host", "1 cells on cpu"]


def test_devices_lists_aliases_and_what_adb_sees():
    completed = _harness("devices")
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0 and lines[0] == "aliases:" and lines[1].split()[:2] == ["host", "host"]
    assert "attached Android devices:" in lines


def test_the_committed_matrix_schema_is_current():
    completed = _harness("schema")
    assert completed.returncode == 0
    assert json.loads(completed.stdout) == json.loads((REPO / "configs/matrix.schema.json").read_text())


def test_shipped_matrices_are_valid():
    from harness.config.matrix import load_matrix

    for path in sorted((REPO / "configs/matrices").glob("*.yaml")):
        assert load_matrix(path).models
