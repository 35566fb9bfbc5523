"""Every quantization variant on tiny models, through `harness bench`, with user calibration data."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from harness import results
from harness.convert.calibration import calibration_inputs
from harness.errors import ModelError
from harness.models.spec import ModelSpec, TensorSpec
from tests.conftest import REPO, require

MATRIX = """\
name: quantization
models:
  - {name: mlp, factory: "tests.fixtures.tiny_models:tiny_mlp", inputs: [[1, 64]]}
  - {name: keras_mlp, framework: keras, factory: "tests.fixtures.tiny_models:tiny_keras_mlp", inputs: [[1, 64]]}
runtimes: [litert, executorch, torchscript]
quantization: [fp32, fp16, dynamic_int8, int8, int8_per_tensor]
delegates: [xnnpack, none]
exclude:
  - {runtime: torchscript, delegate: xnnpack}
  - {runtime: litert, delegate: none}
calibration: {data: calibration.npz, samples: 8}
measurement: {warmup_runs: 0, min_iterations: 3, min_seconds: 0, max_seconds: 0.5, repetitions: 1, max_repetitions: 1}
"""

RUNS = {  # (model, runtime, delegate, quantization) that must run; every other cell must be a skip with a reason
    ("mlp", "litert", "xnnpack", q) for q in ("fp32", "dynamic_int8", "int8", "int8_per_tensor")
} | {("mlp", "executorch", "xnnpack", q) for q in ("fp32", "int8", "int8_per_tensor")} | {
    ("mlp", "executorch", "none", "fp32"), ("mlp", "torchscript", "none", "fp32"), ("mlp", "torchscript", "none", "dynamic_int8"),
} | {("keras_mlp", "litert", "xnnpack", q) for q in ("fp32", "fp16", "dynamic_int8", "int8")}


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    for module in ("executorch", "ai_edge_litert", "litert_torch", "tensorflow"):
        require(module)
    folder = tmp_path_factory.mktemp("quantization")
    np.savez(folder / "calibration.npz", np.random.default_rng(0).standard_normal((8, 64), dtype=np.float32))
    (folder / "matrix.yaml").write_text(MATRIX)
    completed = subprocess.run(
        [sys.executable, "-m", "harness", "bench", "--matrix", str(folder / "matrix.yaml"), "--results",
         str(folder / "results")], capture_output=True, text=True, cwd=REPO, timeout=1800,
        env={**os.environ, "HARNESS_CACHE_DIR": str(folder / "cache")})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return results.load(folder / "results").set_index(["model", "runtime", "delegate", "quantization"])


def test_every_offered_variant_converts_and_runs(frame):
    ran = {key for key, row in frame.iterrows() if row.status == "ok"}
    failed = frame[frame.status == "failed"]
    assert failed.empty, failed.error.to_dict()
    assert ran == RUNS
    assert frame.loc[("mlp", "litert", "xnnpack", "int8")].delegate_applied == "xnnpack"


def test_every_other_variant_is_a_skip_that_says_why(frame):
    skipped = frame[frame.status == "skipped"].error
    assert len(skipped) == len(frame) - len(RUNS) and skipped.str.len().min() > 20
    assert "no quantize/dequantize kernels" in skipped[("mlp", "executorch", "none", "int8")]
    assert "litert-torch has no fp16" in skipped[("mlp", "litert", "xnnpack", "fp16")]
    assert "offers no fp16" in skipped[("mlp", "torchscript", "none", "fp16")]
    assert "per channel" in skipped[("keras_mlp", "litert", "xnnpack", "int8_per_tensor")]


@pytest.mark.parametrize("model, runtime, delegate, variants", [
    ("mlp", "litert", "xnnpack", ("dynamic_int8", "int8", "int8_per_tensor")),
    ("mlp", "executorch", "xnnpack", ("int8", "int8_per_tensor")),
    ("mlp", "torchscript", "none", ("dynamic_int8",)),
    ("keras_mlp", "litert", "xnnpack", ("fp16", "dynamic_int8", "int8")),
])
def test_quantized_files_are_smaller(frame, model, runtime, delegate, variants):
    fp32 = frame.loc[(model, runtime, delegate, "fp32")].model_file_bytes
    for variant in variants:
        assert frame.loc[(model, runtime, delegate, variant)].model_file_bytes < 0.6 * fp32, variant


def test_every_variant_has_size_delegation_and_parity_next_to_latency(frame):
    ran = frame[frame.status == "ok"]
    for key, row in ran.iterrows():
        assert row.model_file_bytes > 0 and row.latency_p50_ms > 0, key
        assert 0 <= row.delegated_share <= 1 and row.format_version and row.metadata_embedded, key
        assert row.parity_cosine > 0.9 and row.parity_max_rel_error < 0.5 and row.parity_top1_agreement is not None, key
        minimum = 0.9999 if key[3] == "fp32" else 0.99 if key[3] in ("fp16", "dynamic_int8") else 0.9
        assert row.parity_cosine >= minimum, (key, row.parity_cosine)
    assert ran.loc[("mlp", "litert", "xnnpack", "int8")].delegated_share == 1.0
    assert (ran.xs("fp32", level="quantization").parity_max_rel_error < 1e-4).all()


def test_lite_interpreter_notes_say_what_was_quantized(frame):
    notes = frame.loc[("mlp", "torchscript", "none", "dynamic_int8")].conversion_notes
    assert "2 Linear/LSTM/GRU layer(s) quantized" in notes


INPUT = TensorSpec((1, 3, 4, 4))
SPEC = ModelSpec("m", "torch", "user", (INPUT,), "x:y")


def _settings(data, samples=4) -> dict[str, str]:
    return {"calibration_data": str(data), "calibration_samples": str(samples)}


def test_synthetic_calibration_is_seeded_and_shaped():
    first = calibration_inputs(SPEC, _settings("synthetic"))
    assert len(first) == 4 and first[0][0].shape == (1, 3, 4, 4) and first[0][0].dtype == np.float32
    assert np.array_equal(first[2][0], calibration_inputs(SPEC, _settings("synthetic"))[2][0])
    assert not np.array_equal(first[0][0], first[1][0])


def test_calibration_from_npz_and_from_a_folder(tmp_path):
    np.savez(tmp_path / "c.npz", np.ones((6, 3, 4, 4), np.float32))
    assert len(calibration_inputs(SPEC, _settings(tmp_path / "c.npz", 10))) == 6
    folder = tmp_path / "samples"
    folder.mkdir()
    for i in range(3):
        np.save(folder / f"{i}.npy", np.full((1, 3, 4, 4), i, np.float32))
    samples = calibration_inputs(SPEC, _settings(folder, 2))
    assert [float(s[0].max()) for s in samples] == [0.0, 1.0]


@pytest.mark.parametrize("array, message", [
    (np.ones((6, 3, 5, 5), np.float32), "input 0 is float32[6, 3, 5, 5]; the model takes float32[1, 3, 4, 4] per sample"),
    (np.ones((6, 3, 4, 4), np.float64), "input 0 is float64[6, 3, 4, 4]"),
])
def test_calibration_of_the_wrong_shape_or_dtype_is_refused(tmp_path, array, message):
    np.savez(tmp_path / "c.npz", array)
    with pytest.raises(ModelError, match=message.replace("[", r"\[").replace("]", r"\]")):
        calibration_inputs(SPEC, _settings(tmp_path / "c.npz"))


def test_bad_calibration_fails_the_conversion_with_that_message(tmp_path):
    require("executorch")
    from harness.convert.cache import ArtifactCache
    from harness.convert.catalog import conversion_for
    from harness.errors import ConversionError
    from harness.runtimes import runtime
    from harness.runtimes.choices import QuantizationOptions

    np.savez(tmp_path / "c.npz", np.ones((4, 32), np.float32))
    spec = ModelSpec("mlp", "torch", "user", (TensorSpec((1, 64)),), "tests.fixtures.tiny_models:tiny_mlp")
    conversion = conversion_for(spec, runtime("executorch"), "xnnpack", "int8", QuantizationOptions(tmp_path / "c.npz", 4))
    with pytest.raises(ConversionError, match=r"calibration data .*c.npz: input 0 is float32\[4, 32\]"):
        ArtifactCache(tmp_path / "cache").get_or_convert(conversion)
