from __future__ import annotations

import pytest

from harness.config.matrix import load_matrix
from harness.errors import ConfigError, UnknownNameError

VALID = """\
name: small
models:
  - mobilenet_v2
  - name: mine
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [litert, executorch]
delegates: [xnnpack, none]
threads: [1, 2]
exclude:
  - {runtime: executorch, delegate: none}
include:
  - {model: mine, runtime: litert, threads: 4}
measurement: {warmup_runs: 1, min_iterations: 5, min_seconds: 0.5, max_seconds: 2}
"""


def test_valid_matrix_becomes_frozen_objects(write_matrix):
    matrix = load_matrix(write_matrix(VALID))
    assert matrix.name == "small"
    assert [m.name for m in matrix.models] == ["mobilenet_v2", "mine"]
    assert matrix.models[1].inputs[0].shape == (1, 3, 16, 16)
    assert matrix.models[1].framework == "torch" and matrix.models[1].source == "user"
    assert matrix.threads == (1, 2)
    assert matrix.measurement.min_iterations == 5 and matrix.measurement.repetitions == 5
    assert matrix.exclude[0].get("delegate") == "none"
    assert matrix.include[0].get("threads") == 4
    with pytest.raises(AttributeError):
        matrix.name = "changed"


def test_defaults_apply(write_matrix):
    matrix = load_matrix(write_matrix("models: [gru]\nruntimes: [litert]\n"))
    assert matrix.name == "matrix" and matrix.quantizations == ("fp32",) and matrix.delegates == ("xnnpack",)
    assert matrix.measurement.warmup_runs == 3


@pytest.mark.parametrize("text, line, fragment", [
    ("models: [gru]\nruntimes: [litert, executorhc]\n", 2,
     "runtimes[1]: unknown runtime 'executorhc'; did you mean 'executorch'?"),
    ("models:\n  - mobilenet_v3\nruntimes: [litert]\n", 2,
     "models[0]: unknown model 'mobilenet_v3'; did you mean 'mobilenet_v2'"),
    ("models: [gru]\nruntimes: [litert]\nmeasurment: {}\n", 3, "measurment: unknown key; did you mean 'measurement'?"),
    ("models: [gru\nruntimes: [litert]\n", 2, "invalid YAML"),
    ("models: [gru]\nruntimes: [litert]\nthreads: [0]\n", 3, "threads[0]: Input should be greater than or equal to 1"),
    ("models: [gru]\nruntimes: [litert]\ndelegates: [xnnpak]\n", 3, "did you mean 'xnnpack'?"),
    ("models: [gru]\nruntimes: [litert]\nquantization: [int9]\n", 3, "unknown quantization 'int9'"),
    ("models: [gru]\n", 1, "runtimes: required key is missing"),
    ("models:\n  - name: x\n    factory: a.b:c\nruntimes: [litert]\n", 2, "a factory model needs 'inputs'"),
    ("models: [gru]\nruntimes: [litert]\nmeasurement:\n  min_seconds: 5\n  max_seconds: 1\n", 4,
     "max_seconds must not be less than min_seconds"),
    ("models: [gru]\nruntimes: [litert]\nexclude:\n  - {model: gruu}\n", 4,
     "model 'gruu' is not in this matrix's models; did you mean 'gru'?"),
    ("models: [gru, gru]\nruntimes: [litert]\n", 1, "model names must be unique"),
    ("- just\n- a list\n", 1, "expected a mapping"),
])
def test_bad_matrix_is_one_line_with_file_and_line(write_matrix, text, line, fragment):
    path = write_matrix(text)
    with pytest.raises(ConfigError) as caught:
        load_matrix(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message


def test_missing_model_file_names_the_line(write_matrix):
    path = write_matrix("models:\n  - name: x\n    file: nowhere.tflite\nruntimes: [litert]\n")
    with pytest.raises(ConfigError, match=r"matrix.yaml:3: models\[0\].file: file not found: .*nowhere.tflite"):
        load_matrix(path)


def test_user_file_paths_are_relative_to_the_matrix(write_matrix, tmp_path):
    (tmp_path / "model.tflite").write_bytes(b"\x0c\x00\x00\x00TFL3" + bytes(8))
    matrix = load_matrix(write_matrix("models:\n  - name: x\n    file: model.tflite\nruntimes: [litert]\n"))
    assert matrix.models[0].file == (tmp_path / "model.tflite").resolve()
    assert matrix.models[0].framework == "file" and matrix.models[0].file_format == "tflite"


def test_missing_matrix_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_matrix(tmp_path / "absent.yaml")


def test_unknown_zoo_name_error_type_carries_suggestions():
    from harness.models.zoo import zoo_model

    with pytest.raises(UnknownNameError) as caught:
        zoo_model("resnet19")
    assert caught.value.suggestions == ["resnet18"]


def test_operator_profiles_are_off_unless_asked(write_matrix):
    assert load_matrix(write_matrix("models: [gru]\nruntimes: [litert]\n")).profile is None
    assert load_matrix(write_matrix("models: [gru]\nruntimes: [litert]\nprofile: operators\n")).profile == "operators"
    with pytest.raises(ConfigError, match="profile"):
        load_matrix(write_matrix("models: [gru]\nruntimes: [litert]\nprofile: kernels\n"))

def test_max_spread_is_refused_with_what_replaced_it(write_matrix):
    path = write_matrix("models: [mobilenet_v2]\nruntimes: [litert]\nmeasurement: {max_spread: 0.1}\n")
    with pytest.raises(ConfigError, match="max_spread is replaced by max_relative_error"):
        load_matrix(path)
