from __future__ import annotations

import pytest

from harness.cli import main
from harness.config.matrix import load_matrix
from harness.devices.host import HostDevice
from harness.errors import ConfigError
from harness.plan import plan
from harness.plan_checks import check_models, check_some_cell_runs


def test_a_factory_that_does_not_import_or_call_is_refused_by_plan(write_matrix):
    matrix = load_matrix(write_matrix(
        "models:\n  - {name: ok, factory: 'tests.fixtures.tiny_models:tiny_cnn', inputs: [[1, 3, 16, 16]]}\n"
        "  - {name: gone, factory: 'no_such_module_here:build', inputs: [[1, 4]]}\n"
        "  - {name: text, factory: 'tests.fixtures.tiny_models:TINY_CNN_EVERY_RUNTIME', inputs: [[1, 4]]}\n"
        "runtimes: [litert]\n"))
    with pytest.raises(ConfigError) as caught:
        check_models(matrix)
    assert caught.value.key == "models[1].factory"
    assert "cannot import no_such_module_here: ModuleNotFoundError" in str(caught.value)
    assert str(caught.value).endswith("(and 1 more problem)")


def test_a_file_its_runtime_cannot_read_is_refused_by_plan(write_matrix, tmp_path):
    (tmp_path / "cut.tflite").write_bytes(b"\x0c\x00\x00\x00TFL3 cut short here")
    matrix = load_matrix(write_matrix("models:\n  - {name: cut, file: cut.tflite}\nruntimes: [litert]\n"))
    with pytest.raises(ConfigError, match=r"models\[0\].file: cannot read cut.tflite as .tflite"):
        check_models(matrix)


def test_a_matrix_that_leaves_no_cell_names_the_rules(write_matrix):
    matrix = load_matrix(write_matrix(
        "models: [gru]\nruntimes: [litert, torchscript]\ndelegates: [xnnpack]\n"
        "exclude:\n  - {runtime: litert}\n"))
    planned = plan(matrix, HostDevice("host"))
    with pytest.raises(ConfigError) as caught:
        check_some_cell_runs(matrix, planned, "host")
    assert "exclude[0] removed 1" in str(caught.value)
    assert "1 skipped: torchscript has no xnnpack delegate" in str(caught.value)


def test_threads_above_the_device_cpus_are_skipped_with_the_reason(write_matrix, monkeypatch):
    monkeypatch.setattr(HostDevice, "cpu_limit", lambda self: 2)
    matrix = load_matrix(write_matrix("models: [gru]\nruntimes: [litert]\nthreads: [1, 3]\n"))
    reasons = {p.cell.threads: p.skip_reason for p in plan(matrix, HostDevice("host"))}
    assert reasons == {1: None, 3: "3 threads on device host, which has 2 CPUs"}


def test_plan_exits_2_with_one_line_when_nothing_runs(write_matrix, capsys):
    path = write_matrix("models: [gru]\nruntimes: [litert]\nexclude:\n  - {model: gru}\n")
    assert main(["plan", "--matrix", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"harness: error: {path}: no cell to run on host out of 1 in the product of the axes: exclude[0] removed 1"]
