"""The host's native mode: ExecuTorch cells in native/executorch_runner, through `run_bench`, with the runner's
size (the runner and the executorch libraries it loads) in the rows. `make test` builds the runner first."""

from __future__ import annotations

from pathlib import Path

from harness import results
from harness.config.matrix import load_matrix
from harness.convert.cache import ArtifactCache
from harness.devices.host import HostDevice
from harness.devices.native import runner_path
from harness.run.bench import run_bench
from harness.runtime_size import loaded_libraries, package_folder
from tests.conftest import require

MATRIX = """\
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [executorch, litert]
delegates: [xnnpack]
threads: [1]
execution_mode: native
measurement: {warmup_runs: 1, min_iterations: 3, min_seconds: 0, max_seconds: 2, repetitions: 1, max_repetitions: 1,
              cooldown: {timeout_seconds: 5}}
"""


def test_native_mode_runs_executorch_cells_in_the_runner_and_records_its_size(tmp_path, write_matrix, cache_dir):
    require("executorch")
    runner = runner_path()  # a runner that is not built fails here, saying how to build it
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
