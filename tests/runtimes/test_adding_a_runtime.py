"""Adding a runtime is one folder and one registry line: a test-only runtime, registered that way, runs a matrix.

tests/fixtures/runtimes/exported/ runs torch.export programs on torch itself. It is registered with the
same `Registry.register` as the built-in runtimes, given through HARNESS_RUNTIMES so that every process
of the run (the conversion worker, the check, the host shell) knows it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness import results
from tests.conftest import REPO, require

REGISTRY_LINE = "exported=tests.fixtures.runtimes.exported:RUNTIME"
MATRIX = """\
name: adding-a-runtime
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [exported, torchscript]
delegates: [none, xnnpack]
measurement: {warmup_runs: 1, min_iterations: 3, min_seconds: 0, max_seconds: 2, repetitions: 1, max_repetitions: 1,
              cooldown: {timeout_seconds: 5}}
"""


def _harness(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=900)


@pytest.fixture(scope="module")
def run(tmp_path_factory, cache_dir):
    require("torch")
    folder = tmp_path_factory.mktemp("exported")
    (folder / "matrix.yaml").write_text(MATRIX)
    env = {**os.environ, "HARNESS_RUNTIMES": REGISTRY_LINE, "HARNESS_CACHE_DIR": str(cache_dir)}
    completed = _harness("bench", "--matrix", str(folder / "matrix.yaml"), "--results", str(folder / "results"), env=env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return folder, env, results.load(folder / "results").set_index(["runtime", "delegate"])


def test_the_new_runtime_runs_its_cells_like_any_other(run):
    _, _, frame = run
    row = frame.loc[("exported", "none")]
    assert row.status == "ok" and row.format == "pt2" and row.converter == "torch_export"
    assert row.execution_mode == "process" and row.runtime_version.startswith("2.13")
    assert len(row.latency_samples_ns) >= 3 and row.latency_p50_ms > 0 and row.peak_rss_bytes > 0
    assert "aten.conv2d.default" in list(row.operators) and row.metadata_embedded
    assert row.parity_cosine > 0.9999 and not row.parity_flagged  # checked against the source model as well
    assert frame.loc[("torchscript", "none")].status == "ok"  # the built-in runtimes are unchanged beside it


def test_what_it_does_not_offer_is_skipped_with_the_reason(run):
    _, _, frame = run
    row = frame.loc[("exported", "xnnpack")]
    assert row.status == "skipped" and row.error == "exported has no xnnpack delegate (it has: none)"


def test_its_operator_list_joins_the_run(run):
    folder, _, _ = run
    lists = sorted(p.name for p in folder.glob("results/*/operator_lists/*.yaml"))
    assert lists == ["exported_operators.yaml", "torchscript_operators.yaml"]


def test_without_its_registry_line_the_matrix_names_an_unknown_runtime(run):
    folder, env, _ = run
    completed = _harness("plan", "--matrix", str(folder / "matrix.yaml"),
                         env={k: v for k, v in env.items() if k != "HARNESS_RUNTIMES"})
    assert completed.returncode == 2 and "unknown runtime 'exported'" in completed.stderr
    assert "Traceback" not in completed.stderr
