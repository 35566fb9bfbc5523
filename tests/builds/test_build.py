"""`harness runtimes build` on a run's operator lists: ExecuTorch's selective registration generated with its own
codegen, registering exactly the run's kernels; cached build folders with manifests; the per-run size table."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
import yaml

from harness.builds.build import build_runtime
from harness.builds.registration import kernel_names
from harness.builds.toolchains import Toolchains
from harness.cli import main
from harness.errors import ConfigError
from harness.results.store import RunStore
from tests.conftest import require

KERNELS = ["aten::addmm.out", "aten::convolution.out", "aten::mean.out", "aten::permute_copy.out", "aten::relu.out"]
# As gen_oplist writes them for tiny_cnn: float32 (6) tensors and their dim orders, per argument.
KERNEL_METADATA = {"aten::addmm.out": ["v1/6;0|6;0,1|6;0,1|6;0,1|6;0,1"],
                   "aten::convolution.out": ["v1/6;0,1,2,3|6;0,1,2,3|6;0|6;0,1,2,3|6;0,1,2,3"],
                   "aten::mean.out": ["v1/6;0,1,2,3|6;0,1,2,3|6;0,1,2,3"],
                   "aten::permute_copy.out": ["v1/6;0,1|6;0,1|6;0,1"],
                   "aten::relu.out": ["v1/6;0,1,2,3|6;0,1,2,3|6;0,1,2,3"]}


@pytest.fixture
def run_folder(tmp_path):
    """A run with the operator list gen_oplist writes for a small conv/linear model, and no rows."""
    store = RunStore.create(tmp_path / "results", "run", {})
    lists = store.folder / "operator_lists"
    lists.mkdir()
    operators = {name: {"debug_info": ["model.pte"], "include_all_overloads": False, "is_root_operator": True,
                        "is_used_for_training": True} for name in KERNELS}
    (lists / "executorch_selected_operators.yaml").write_text(yaml.safe_dump(
        {"build_features": [], "custom_classes": [], "et_kernel_metadata": KERNEL_METADATA,
         "include_all_non_op_selectives": False, "include_all_operators": False, "kernel_metadata": {}, "operators": operators}))
    return store.folder


def test_the_selective_registration_holds_exactly_the_run_kernels(run_folder, tmp_path):
    require("executorch")
    selective = build_runtime(run_folder, "executorch", platform.machine(), "selective", tmp_path / "b", Toolchains())
    registration = next(f.path for f in selective.files if f.path.endswith(".cpp"))
    assert sorted(kernel_names(Path(registration))) == KERNELS
    assert selective.status == "generated" and selective.operators == KERNELS and selective.binary_bytes() is None
    assert all(len(f.sha256) == 64 and f.bytes > 0 and f.stripped_bytes is None for f in selective.files)


def test_without_selection_every_portable_kernel_is_registered(run_folder, tmp_path):
    require("executorch")
    from harness.builds.registration import registered_kernels

    everything = len(registered_kernels(None))
    assert everything > 100 and everything > 10 * len(KERNELS)


def test_a_build_folder_is_reused_when_its_key_matches(run_folder, tmp_path):
    require("executorch")
    first = build_runtime(run_folder, "executorch", platform.machine(), "selective", tmp_path / "b", Toolchains())
    folder = tmp_path / "b" / "executorch" / platform.machine() / f"selective-{first.key}"
    (folder / "RegisterCodegenUnboxedKernels.cpp").unlink()  # a rebuild would write it again
    again = build_runtime(run_folder, "executorch", platform.machine(), "selective", tmp_path / "b", Toolchains())
    assert again == first and not (folder / "RegisterCodegenUnboxedKernels.cpp").exists()


def test_an_android_build_writes_its_commands_or_says_what_is_missing(run_folder, tmp_path):
    require("executorch")
    with pytest.raises(ConfigError, match="executorch_source"):
        build_runtime(run_folder, "executorch", "arm64-v8a", "selective", tmp_path / "b", Toolchains())
    (tmp_path / "et").mkdir()
    (tmp_path / "ndk").mkdir()
    manifest = build_runtime(run_folder, "executorch", "arm64-v8a", "selective", tmp_path / "b",
                             Toolchains(executorch_source=tmp_path / "et", android_ndk=tmp_path / "ndk"))
    assert manifest.status == "commands" and f"-DEXECUTORCH_SELECT_OPS_LIST={','.join(KERNELS)}" in manifest.commands[0]
    assert manifest.toolchain == {"executorch_source": str(tmp_path / "et"), "android_ndk": str(tmp_path / "ndk")}


def test_the_cli_writes_the_size_table(run_folder, tmp_path, capsys):
    require("executorch")
    assert main(["runtimes", "build", str(run_folder), "--output", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "executorch" in out and "registers 5 portable kernels" in out
    assert (run_folder / "size_table.md").read_text().startswith("# Runtime size, run run")


def test_with_every_operator_delegated_the_build_links_no_kernel_library(run_folder, tmp_path):
    require("executorch")
    from harness.devices.native import runner_path

    runner_path("executorch")  # not built: fails here, saying how to build it
    assert runner_path("executorch", delegates_only=True).is_file()
    (run_folder / "operator_lists/executorch_selected_operators.yaml").write_text(yaml.safe_dump(
        {"et_kernel_metadata": {}, "include_all_operators": False, "operators": {}}))
    selective = build_runtime(run_folder, "executorch", platform.machine(), "selective", tmp_path / "b", Toolchains())
    full = build_runtime(run_folder, "executorch", platform.machine(), "full", tmp_path / "b", Toolchains())
    names = {Path(f.path).name for f in selective.files}
    assert selective.status == "built" and "executorch_runner_delegates_only" in names
    assert "libexecutorch_kernels_optimized.so" not in names and "libexecutorch_backend_xnnpack.so" in names
    assert "libexecutorch_kernels_optimized.so" in {Path(f.path).name for f in full.files}
    selective_bytes, full_bytes = selective.binary_bytes(), full.binary_bytes()
    assert selective_bytes is not None and full_bytes is not None and selective_bytes[0] < full_bytes[0]


MATRIX = """\
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [executorch]
delegates: [none]
"""


def test_a_matrix_is_converted_for_its_lists_then_built_without_a_run(tmp_path, write_matrix, cache_dir, capsys):
    require("executorch")
    output = tmp_path / "b"
    arguments = ["runtimes", "build", "--matrix", str(write_matrix(MATRIX)), "--output", str(output),
                 "--cache-dir", str(cache_dir)]
    assert main(arguments) == 0
    out = capsys.readouterr().out
    assert "1 files converted or cached, 0 failed" in out and "no size table" in out
    lists = output / "matrices" / "matrix-host" / "operator_lists"
    listed = yaml.safe_load((lists / "executorch_selected_operators.yaml").read_text())
    assert set(listed["operators"]) == set(KERNELS)  # tiny_cnn on the portable kernels: the run fixture's list
    (manifest,) = output.glob("executorch/*/selective-*/manifest.json")
    assert yaml.safe_load(manifest.read_text())["operators"] == KERNELS
    assert not list(tmp_path.glob("**/size_table.md"))


def test_runtimes_build_takes_a_run_or_a_matrix_not_both(run_folder, tmp_path, capsys):
    assert main(["runtimes", "build", str(run_folder), "--matrix", str(tmp_path / "m.yaml")]) == 2
    assert "a run folder or --matrix, one of the two" in capsys.readouterr().err
    assert main(["runtimes", "build"]) == 2
