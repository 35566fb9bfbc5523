"""`harness compare`: three real runs of one tiny cell, one of them made slower by a sleep in every inference.

The runtime is the test-only `exported` one (tests/fixtures/runtimes/exported/), whose session sleeps
EXPORTED_TEST_SLEEP_SECONDS before each inference; everything else is the real harness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.report.compare import NOW_FAILING, SAME, SLOWER, UNJUDGED, compare_runs
from harness.results.store import RunStore
from tests.conftest import REPO, require
from tests.fixtures.runtimes.exported.session import SLEEP_VARIABLE

MATRIX = """\
name: compare
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
runtimes: [exported]
delegates: [none]
measurement: {warmup_runs: 2, min_iterations: 20, min_seconds: 0.2, max_seconds: 1, repetitions: 3, max_repetitions: 3,
              cooldown: {timeout_seconds: 5}}
"""


def _harness(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, cwd=REPO,
                          env=env or os.environ, timeout=900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, cache_dir) -> dict[str, Path]:
    require("torch")
    folder = tmp_path_factory.mktemp("compare")
    (folder / "matrix.yaml").write_text(MATRIX)
    env = {**os.environ, "HARNESS_RUNTIMES": "exported=tests.fixtures.runtimes.exported:RUNTIME",
           "HARNESS_CACHE_DIR": str(cache_dir)}
    made = {}
    for name, sleep in (("base", 0), ("again", 0), ("slower", 0.002)):
        completed = _harness("bench", "--matrix", str(folder / "matrix.yaml"), "--results", str(folder),
                             "--run-id", name, env={**env, SLEEP_VARIABLE: str(sleep)})
        assert completed.returncode == 0, completed.stderr[-3000:]
        made[name] = folder / name
    return made


def test_a_run_slowed_by_a_sleep_is_flagged_slower(runs):
    comparison = compare_runs(runs["base"], runs["slower"])
    (cell,) = comparison.cells
    assert cell.verdict == SLOWER
    assert cell.estimate.ratio > 2 and cell.estimate.low > 1  # 2 ms per inference on a sub-millisecond model


def test_two_equal_runs_are_not_flagged(runs):
    comparison = compare_runs(runs["base"], runs["again"])
    assert [cell.verdict for cell in comparison.cells] == [SAME]


def test_fail_on_regression_exits_non_zero_only_for_the_slower_run(runs):
    slower = _harness("compare", str(runs["base"]), str(runs["slower"]), "--fail-on-regression", "5")
    again = _harness("compare", str(runs["base"]), str(runs["again"]), "--fail-on-regression", "5")
    assert slower.returncode == 3, slower.stderr
    assert "tiny_cnn/exported/fp32/none/1t" in slower.stdout and "slower" in slower.stdout
    assert "1 regression(s) of at least 5%" in slower.stderr
    assert again.returncode == 0, again.stderr
    assert "no significant change" in again.stdout


def test_runs_from_different_devices_are_refused_in_one_line(runs, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(runs["again"], other)
    store = RunStore.open(other)
    store.update_metadata(device={**store.metadata()["device"], "device_model": "Pixel 9"})
    refused = _harness("compare", str(runs["base"]), str(other))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "different devices" in refused.stderr and "Traceback" not in refused.stderr
    allowed = _harness("compare", str(runs["base"]), str(other), "--allow-different-devices")
    assert allowed.returncode == 0, allowed.stderr


def _synthetic_run(root: Path, name: str, rows: list[dict]) -> Path:
    store = RunStore.create(root, name, {"device": {"name": "host", "platform": "host", "device_model": "cpu"}})
    for row in rows:
        store.write_row(row)
    return store.folder


def _row(cell_id: str, status: str, medians: list[float]) -> dict:
    return {"cell_id": cell_id, "model": "m", "runtime": "litert", "quantization": "fp32", "delegate": "none",
            "threads": 1, "status": status, "repetition_medians_ms": medians,
            "latency_p50_ms": sorted(medians)[len(medians) // 2] if medians else None}


def test_a_cell_failing_only_in_new_is_a_regression_and_one_repetition_is_not_judged(tmp_path):
    base = _synthetic_run(tmp_path, "base", [_row("a", "ok", [1.0, 1.01]), _row("b", "ok", [1.0])])
    new = _synthetic_run(tmp_path, "new", [_row("a", "failed", []), _row("b", "ok", [3.0])])
    comparison = compare_runs(base, new)
    verdicts = {cell.cell_id: cell.verdict for cell in comparison.cells}
    assert verdicts == {"a": NOW_FAILING, "b": UNJUDGED}
    assert [cell.cell_id for cell in comparison.regressions(0.05)] == ["a"]


def test_a_folder_of_several_runs_is_not_a_run(tmp_path):
    _synthetic_run(tmp_path, "one", [_row("a", "ok", [1.0])])
    _synthetic_run(tmp_path, "two", [_row("a", "ok", [1.0])])
    refused = _harness("compare", str(tmp_path), str(tmp_path / "one"))
    assert refused.returncode != 0 and "is not a run folder" in refused.stderr
    assert json.loads((tmp_path / "one" / "run.json").read_text())["run_id"] == "one"  # nothing was written
