"""Reading converted files back: operators, versions, delegation, metadata, selective-build lists, `harness inspect`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from harness.convert.cache import ArtifactCache
from harness.convert.catalog import conversion_for
from harness.errors import ModelError
from harness.models.spec import ModelSpec, TensorSpec
from harness.runtimes import runtime, runtime_for_format
from harness.runtimes.inspection import inspect_file, sidecar_path, write_matrix_operator_lists
from tests.conftest import REPO, require

TINY = ModelSpec("tiny", "torch", "user", (TensorSpec((1, 3, 16, 16)),), "tests.fixtures.tiny_models:tiny_cnn",
                 description="a tiny CNN", normalization="N(0, 1) noise", output_meaning="4 scores",
                 labels=tuple(f"class {i}" for i in range(4)))
CELLS = {"tflite": ("litert", "xnnpack"), "pte": ("executorch", "xnnpack"), "ptl": ("torchscript", "none")}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    for module in ("executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    cache = ArtifactCache(tmp_path_factory.mktemp("cache"))
    return {fmt: cache.get_or_convert(conversion_for(TINY, runtime(name), delegate, "fp32"))
            for fmt, (name, delegate) in CELLS.items()}


@pytest.mark.parametrize("fmt", sorted(CELLS))
def test_metadata_is_embedded_and_read_back(artifacts, fmt):
    metadata = inspect_file(artifacts[fmt].path).metadata
    assert metadata["model"]["description"] == "a tiny CNN" and metadata["labels"][3] == "class 3"
    assert metadata["inputs"] == [{"shape": [1, 3, 16, 16], "dtype": "float32", "normalization": "N(0, 1) noise"}]
    assert metadata["outputs"][0]["shape"] == [1, 4] and metadata["outputs"][0]["meaning"] == "4 scores"
    assert metadata["conversion"]["settings"]["quantization"] == "fp32" and metadata["harness"]["version"]


def test_versions_are_read_from_each_format(artifacts):
    tflite, pte, ptl = (inspect_file(artifacts[f].path) for f in ("tflite", "pte", "ptl"))
    assert tflite.format_version == "TFLite schema v3" and tflite.min_runtime_version.count(".") == 2
    assert {op.name for op in tflite.operators} >= {"CONV_2D", "FULLY_CONNECTED"}
    assert all(op.version >= 1 for op in tflite.operators)
    assert pte.format_version.startswith("ExecuTorch ET") and pte.backends == ("xnnpack",)
    assert ptl.format_version.startswith("bytecode v") and "aten::linear" in {op.name for op in ptl.operators}


def test_delegation_is_measured_per_host_delegate(artifacts):
    tflite = artifacts["tflite"]
    xnnpack = tflite.checks["xnnpack"].delegation
    assert xnnpack.delegated_nodes == xnnpack.total_nodes
    assert tflite.checks["none"].delegation.delegated_nodes == 0
    pte = artifacts["pte"].verification("xnnpack").delegation
    assert pte.delegate == "xnnpack" and 0 < pte.delegated_nodes <= pte.total_nodes


@pytest.mark.parametrize("fmt", sorted(CELLS))
def test_fp32_parity_with_the_source_model_is_near_exact(artifacts, fmt):
    artifact = artifacts[fmt]
    parity = artifact.verification(CELLS[fmt][1]).parity
    assert parity.parity_cosine > 0.99999 and parity.parity_max_rel_error < 1e-4
    assert parity.parity_top1_agreement == 1.0 and parity.parity_reference_spread > 0


def test_each_file_has_its_selective_build_list_and_a_run_merges_them(artifacts, tmp_path):
    tflite = yaml.safe_load(artifacts["tflite"].operator_list.read_text())
    assert tflite["builtin_operators"]["CONV_2D"] >= 1 and tflite["custom_operators"] == []
    assert "aten::linear" in yaml.safe_load(artifacts["ptl"].operator_list.read_text())
    pte = yaml.safe_load(artifacts["pte"].operator_list.read_text())
    assert "operators" in pte and "et_kernel_metadata" in pte
    written = write_matrix_operator_lists({a.format: [a.operator_list] for a in artifacts.values()}, tmp_path)
    assert sorted(p.name for p in written) == ["executorch_selected_operators.yaml", "tflite_operators.yaml",
                                               "torchscript_operators.yaml"]


def _inspect_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", "inspect", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


@pytest.mark.parametrize("fmt", sorted(CELLS))
def test_harness_inspect_prints_every_format(artifacts, fmt):
    completed = _inspect_cli(str(artifacts[fmt].path))
    assert completed.returncode == 0, completed.stderr
    assert f"format: .{fmt}" in completed.stdout and "operators (" in completed.stdout
    assert '"description": "a tiny CNN"' in completed.stdout
    as_json = json.loads(_inspect_cli(str(artifacts[fmt].path), "--json").stdout)
    assert as_json["format"] == fmt and as_json["metadata"]["labels"][0] == "class 0" and as_json["delegation"]


def test_harness_inspect_reports_a_corrupt_file_in_one_line(tmp_path):
    for suffix in (".tflite", ".pte", ".ptl"):
        bad = tmp_path / f"bad{suffix}"
        bad.write_bytes(b"\0" * 64)
        completed = _inspect_cli(str(bad))
        assert completed.returncode != 0 and "Traceback" not in completed.stderr
        assert completed.stderr.startswith(f"harness: error: cannot read bad{suffix}") and completed.stderr.count("\n") == 1


def test_a_file_without_metadata_says_so(artifacts, tmp_path):
    copy = tmp_path / "bare.pte"
    shutil.copyfile(artifacts["pte"].path, copy)
    inspection = inspect_file(copy)
    assert inspection.metadata is None and sidecar_path(copy).name in inspection.notes[0]
    assert runtime_for_format("pte").load_reader().delegation(copy, inspection, "xnnpack").share is None  # no lowering record


def test_unknown_suffix_is_a_model_error(tmp_path):
    (tmp_path / "m.onnx").write_bytes(b"x")
    with pytest.raises(ModelError, match="not a model file"):
        inspect_file(tmp_path / "m.onnx")
