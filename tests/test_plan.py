from __future__ import annotations

from harness.config.matrix import load_matrix
from harness.devices.host import HostDevice
from harness.plan import expand, plan


def _matrix(write_matrix, body: str):
    return load_matrix(write_matrix("models: [mobilenet_v2, keras_mobilenet_v2]\n" + body))


def test_product_minus_exclude_plus_include(write_matrix):
    matrix = _matrix(write_matrix, (
        "runtimes: [litert, executorch]\ndelegates: [xnnpack, none]\nthreads: [1, 2]\n"
        "exclude:\n  - {delegate: none}\n  - {model: keras_mobilenet_v2, runtime: executorch}\n"
        "include:\n  - {model: mobilenet_v2, runtime: litert, delegate: none, threads: 4}\n"))
    cells = expand(matrix)
    assert len(cells) == 2 * 2 * 2 - 2 + 1
    assert {"model": "mobilenet_v2", "runtime": "litert", "quantization": "fp32", "delegate": "none", "threads": 4,
            "execution_mode": None} in cells
    assert not any(c["delegate"] == "none" and c["threads"] != 4 for c in cells)
    assert not any(c["model"] == "keras_mobilenet_v2" and c["runtime"] == "executorch" for c in cells)


def test_include_rule_spans_unnamed_axes_and_never_duplicates(write_matrix):
    matrix = _matrix(write_matrix, "runtimes: [litert]\nthreads: [1, 2]\ninclude:\n  - {model: mobilenet_v2}\n")
    cells = expand(matrix)
    assert len(cells) == 4
    assert len({tuple(c.values()) for c in cells}) == len(cells)


def test_skips_say_why(write_matrix):
    matrix = _matrix(write_matrix, "runtimes: [litert, executorch, torchscript]\ndelegates: [xnnpack, none, gpu]\n")
    reasons = {(p.cell.model.name, p.cell.runtime, p.cell.delegate): p.skip_reason for p in plan(matrix, HostDevice("host"))}
    assert reasons[("mobilenet_v2", "torchscript", "xnnpack")] == "torchscript has no xnnpack delegate (it has: none)"
    assert reasons[("mobilenet_v2", "litert", "gpu")] == "device host (host) offers no gpu delegate"
    assert "only litert takes Keras models" in reasons[("keras_mobilenet_v2", "executorch", "xnnpack")]
    assert reasons[("mobilenet_v2", "executorch", "none")] is None
    assert reasons[("keras_mobilenet_v2", "litert", "none")] is None


def test_execution_modes_are_an_axis_of_the_host_and_a_phone_runs_each_cell_once_in_its_mode(write_matrix):
    from harness.devices.android.device import AndroidDevice
    from harness.devices.inventory import AndroidEntry

    matrix = _matrix(write_matrix, "runtimes: [litert, executorch]\nexecution_modes: [process, native]\n"
                                   "exclude:\n  - {model: keras_mobilenet_v2}\n")
    host = {(p.cell.runtime, p.cell.execution_mode): p for p in plan(matrix, HostDevice("host"))}
    assert set(host) == {(r, m) for r in ("litert", "executorch") for m in ("process", "native")}
    assert host["litert", "native"].skip_reason == "device host has no litert runtime in native mode"
    assert host["executorch", "native"].skip_reason is None and host["executorch", "process"].skip_reason is None
    assert host["executorch", "native"].conversion == host["executorch", "process"].conversion  # one file, two shells
    assert host["executorch", "native"].cell.label.endswith("/t1/native")
    phone = [p.cell for p in plan(matrix, AndroidDevice("pixel", AndroidEntry(platform="android")))]
    assert sorted((c.runtime, c.execution_mode) for c in phone) == [("executorch", None), ("litert", None)]  # its own


def test_execution_mode_and_execution_modes_are_not_both_given(write_matrix):
    import pytest

    from harness.errors import ConfigError

    with pytest.raises(ConfigError, match="not both"):
        _matrix(write_matrix, "runtimes: [executorch]\nexecution_mode: native\nexecution_modes: [process, native]\n")


def test_cells_share_conversions_where_the_file_is_the_same(write_matrix):
    matrix = _matrix(write_matrix, "runtimes: [litert, executorch]\ndelegates: [xnnpack, none]\nthreads: [1, 2]\n")
    planned = [p for p in plan(matrix, HostDevice("host")) if p.cell.model.name == "mobilenet_v2"]
    litert = {p.conversion for p in planned if p.cell.runtime == "litert"}
    executorch = {p.conversion for p in planned if p.cell.runtime == "executorch"}
    assert len(litert) == 1  # the delegate is chosen when LiteRT loads the file
    assert len(executorch) == 2  # XNNPACK lowering is baked into the .pte


def test_cell_ids_are_stable_and_distinct(write_matrix):
    text = "runtimes: [litert, executorch]\nthreads: [1, 2]\n"
    first = [p.cell.cell_id for p in plan(_matrix(write_matrix, text), HostDevice("host"))]
    second = [p.cell.cell_id for p in plan(_matrix(write_matrix, text), HostDevice("host"))]
    assert first == second and len(set(first)) == len(first)


def test_quantization_skips_name_the_toolchain_limit(write_matrix):
    matrix = _matrix(write_matrix, "runtimes: [litert, executorch, torchscript]\ndelegates: [xnnpack, none]\n"
                                   "quantization: [fp16, int8_per_tensor, dynamic_int8]\n")
    reasons = {(p.cell.model.name, p.cell.runtime, p.cell.delegate, p.cell.quantization): p.skip_reason
               for p in plan(matrix, HostDevice("host"))}
    assert reasons[("mobilenet_v2", "executorch", "xnnpack", "fp16")].startswith("executorch offers no fp16")
    assert reasons[("mobilenet_v2", "executorch", "none", "int8_per_tensor")].startswith("ExecuTorch's portable operators")
    assert reasons[("keras_mobilenet_v2", "litert", "xnnpack", "fp16")] is None
    assert reasons[("keras_mobilenet_v2", "litert", "xnnpack", "int8_per_tensor")].startswith("TensorFlow's converter")
    assert reasons[("mobilenet_v2", "torchscript", "none", "dynamic_int8")] is None


def test_calibration_settings_reach_the_conversion_key(write_matrix, tmp_path):
    import numpy as np

    np.savez(tmp_path / "calibration.npz", np.zeros((2, 3, 224, 224), np.float32))
    matrix = _matrix(write_matrix, "runtimes: [executorch]\nquantization: [int8]\n"
                                   "calibration: {data: calibration.npz, samples: 2}\n")
    conversion = plan(matrix, HostDevice("host"))[0].conversion
    assert dict(conversion.settings)["calibration_data"] == str(tmp_path / "calibration.npz")
    assert dict(conversion.settings)["calibration_samples"] == "2"
