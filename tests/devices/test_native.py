"""The host's native mode: ExecuTorch and lite-interpreter cells in their C++ runners (native/), through
`run_bench`, with each runner's size (the runner and the libraries it loads from its runtime's package) in the
rows. `make test` builds the runners first."""

from __future__ import annotations

import json
from pathlib import Path

from harness import results
from harness.config.matrix import load_matrix
from harness.convert.cache import ArtifactCache
from harness.devices.host import HostDevice
from harness.devices.native import runner_path
from harness.plan import plan
from harness.run.bench import run_bench
from harness.runtime_size import loaded_libraries, package_folder
from tests.conftest import require

MATRIX = """\
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [executorch, litert, torchscript]
delegates: [xnnpack, none]
threads: [1]
execution_mode: native
exclude:
  - {runtime: torchscript, delegate: xnnpack}
  - {runtime: executorch, delegate: none}
  - {runtime: litert, delegate: none}
measurement: {warmup_runs: 1, min_iterations: 3, min_seconds: 0, max_seconds: 2, repetitions: 1, max_repetitions: 1,
              cooldown: {timeout_seconds: 5}}
"""


def test_native_mode_runs_cells_in_their_runtimes_runners_and_records_their_size(tmp_path, write_matrix, cache_dir):
    require("executorch")
    runner = runner_path("executorch")  # a runner that is not built fails here, saying how to build it
    matrix = load_matrix(write_matrix(MATRIX))
    device = HostDevice("host", matrix.execution_mode)
    summary = run_bench(matrix, device, tmp_path / "results", ArtifactCache(cache_dir), run_id="native")
    frame = results.load(summary.run_dir).set_index("runtime")
    row = frame.loc["executorch"]
    assert row.status == "ok", row.error
    assert row.execution_mode == "native" and row.shell.startswith("host-native-executorch")
    assert row.delegate_applied == "xnnpack" and len(row.latency_samples_ns) == row.iterations >= 3
    assert row.peak_rss_bytes >= row.rss_after_load_bytes > 0
    files = loaded_libraries(runner, package_folder("executorch"))
    assert {f.name for f in files} >= {"executorch_runner", "libexecutorch.so", "libexecutorch_backend_xnnpack.so"}
    assert row.runtime_build_kind == "full" and row.runtime_binary_bytes == sum(Path(f).stat().st_size for f in files)
    assert frame.loc["litert"].status == "skipped" and "no litert runtime" in frame.loc["litert"].error
    lite = frame.loc["torchscript"]
    assert lite.status == "ok", lite.error
    assert lite.shell.startswith("host-native-torchscript") and lite.runtime_version == torch_version()
    assert len(lite.latency_samples_ns) == lite.iterations >= 3 and lite.peak_rss_bytes >= lite.rss_after_load_bytes
    files = {f.name for f in loaded_libraries(runner_path("torchscript"), package_folder("torch"))}
    assert files >= {"torchscript_runner", "libtorch_cpu.so", "libc10.so"} and "libtorch_python.so" not in files
    assert lite.runtime_build_kind == "full" and lite.runtime_binary_bytes > row.runtime_binary_bytes


def torch_version() -> str:
    from importlib.metadata import version

    return version("torch")


BOTH_MODES = MATRIX.replace("execution_mode: native\nexclude:\n", "execution_modes: [process, native]\nexclude:\n"
                            "  - {runtime: litert, execution_mode: native}\n  - {runtime: torchscript}\n").replace(
    "repetitions: 1, max_repetitions: 1,", "repetitions: 2, max_repetitions: 2, order: interleaved,")


def test_execution_modes_measure_a_cell_with_and_without_python_in_one_interleaved_run(tmp_path, write_matrix,
                                                                                        cache_dir):
    require("executorch")
    runner_path("executorch")
    matrix = load_matrix(write_matrix(BOTH_MODES))
    device = HostDevice("host", matrix.execution_mode)
    summary = run_bench(matrix, device, tmp_path / "results", ArtifactCache(cache_dir), run_id="both")
    frame = results.load(summary.run_dir)
    assert (frame.status == "ok").all(), frame.error.tolist()
    modes = {(row.runtime, row.execution_mode): row for row in frame.itertuples()}
    assert set(modes) == {("executorch", "process"), ("executorch", "native"), ("litert", "process")}
    python, native = modes["executorch", "process"], modes["executorch", "native"]
    assert python.shell.startswith("host-python") and native.shell.startswith("host-native-executorch")
    assert python.cell_id != native.cell_id and native.repetitions == python.repetitions == 2
    assert python.runtime_build_kind == "python-package" and native.runtime_build_kind == "full"
    # The Python shell's cell keeps the id it has in a run without execution_modes.
    alone = load_matrix(write_matrix(BOTH_MODES.replace("execution_modes: [process, native]\n", "")))
    ids = {p.cell.runtime: p.cell.cell_id for p in plan(alone, device)}
    assert python.cell_id == ids["executorch"]
    # Interleaved: every round runs both modes before the next round begins.
    shells = [json.loads(line) for line in (summary.run_dir / "timeline.jsonl").read_text().splitlines()]
    rounds = [s["repetition"] for s in shells if s["phase"] == "shell" and s["runtime"] == "executorch"]
    assert rounds == [1, 1, 2, 2]
