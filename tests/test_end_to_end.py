"""`harness bench` on host, through the real CLI, converters and all three runtimes, with tiny models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from harness import results
from harness.results.store import RunStore
from tests.conftest import REPO, RUNTIME_MODULES, require

MATRIX = """\
name: tiny
models:
  - name: tiny_cnn
    factory: tests.fixtures.tiny_models:tiny_cnn
    inputs: [[1, 3, 16, 16]]
  - name: tiny_keras
    framework: keras
    factory: tests.fixtures.tiny_models:tiny_keras
    inputs: [[1, 16, 16, 3]]
  - name: not_a_model
    factory: tests.fixtures.tiny_models:not_a_model
    inputs: [[1, 4]]
  - name: corrupt
    file: corrupt.tflite
    inputs: [[1, 4]]
  - name: inverse
    factory: tests.fixtures.tiny_models:unsupported_operator
    inputs: [[1, 4, 4]]
runtimes: [litert, executorch, torchscript]
delegates: [xnnpack, none]
threads: [1]
exclude:
  - {runtime: torchscript, delegate: xnnpack}
  - {model: not_a_model, runtime: litert}
  - {model: not_a_model, runtime: executorch}
  - {model: corrupt, delegate: none}
  - {model: inverse, delegate: none}
include:
  - {model: tiny_cnn, runtime: litert, delegate: xnnpack, threads: 2}
measurement: {warmup_runs: 1, min_iterations: 5, min_seconds: 0, max_seconds: 1, repetitions: 2, max_repetitions: 2,
              cpu_affinity: [0], cooldown: {timeout_seconds: 5}}
"""


def _bench(matrix: Path, results_dir: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--results", str(results_dir)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=1800)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    for module in RUNTIME_MODULES:
        require(module)
    folder = tmp_path_factory.mktemp("e2e")
    # It begins as a .tflite does, so it passes the matrix's checks and fails when its signature is read.
    (folder / "corrupt.tflite").write_bytes(b"\x0c\x00\x00\x00TFL3 this is not a flatbuffer")
    matrix = folder / "tiny.yaml"
    matrix.write_text(MATRIX)
    first = _bench(matrix, folder / "results", folder / "cache")
    second = _bench(matrix, folder / "results", folder / "cache")
    return folder, first, second


def _run_dirs(folder: Path) -> list[Path]:
    return results.run_folders(folder / "results")


def test_bench_exits_cleanly_without_tracebacks(two_runs):
    _, first, second = two_runs
    for completed in (first, second):
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert "Traceback" not in completed.stdout + completed.stderr
        assert "ok, " in completed.stdout


def test_parquet_opens_in_pandas_with_one_row_per_cell(two_runs):
    folder, _, _ = two_runs
    first = _run_dirs(folder)[0]
    frame = pd.read_parquet(first / "cells")
    # tiny_cnn 5 + 1 included, tiny_keras 2 run + 3 skipped, not_a_model 1, corrupt 1 run + 1 skipped, inverse 2
    assert len(frame) == 16
    assert frame.cell_id.is_unique


def test_all_three_runtimes_produce_measurements(two_runs):
    folder, _, _ = two_runs
    frame = results.load(_run_dirs(folder)[0])
    ok = frame[frame.status == "ok"]
    assert set(ok.runtime) == {"litert", "executorch", "torchscript"}
    assert set(zip(ok.model, ok.runtime, ok.delegate, ok.threads)) == {
        ("tiny_cnn", "litert", "xnnpack", 1), ("tiny_cnn", "litert", "xnnpack", 2), ("tiny_cnn", "litert", "none", 1),
        ("tiny_cnn", "executorch", "xnnpack", 1), ("tiny_cnn", "executorch", "none", 1),
        ("tiny_cnn", "torchscript", "none", 1), ("tiny_keras", "litert", "xnnpack", 1), ("tiny_keras", "litert", "none", 1),
    }
    for row in ok.itertuples():
        assert len(row.latency_samples_ns) == row.iterations >= 5
        assert row.latency_min_ms <= row.latency_p50_ms <= row.latency_max_ms
        assert pd.isna(row.latency_p90_ms) if row.iterations < 100 else row.latency_p90_ms >= row.latency_p50_ms
        assert row.delegate_applied == row.delegate
        assert row.runtime_version and row.model_file_bytes > 0 and len(row.model_sha256) == 64
        assert row.model_load_ms > 0 and row.first_inference_ms > 0
        assert row.rss_after_load_bytes >= row.rss_before_load_bytes > 0 and row.peak_rss_bytes >= row.rss_after_load_bytes
        assert row.shell.startswith("host-python")
        assert row.runtime_build_kind == "python-package" and row.runtime_binary_bytes >= row.runtime_binary_stripped_bytes > 0
        assert row.latency_p50_ci_low_ms <= row.latency_p50_ms <= row.latency_p50_ci_high_ms
        assert row.latency_min_ms <= row.latency_trimmed_mean_ms <= row.latency_max_ms and row.latency_mad_ms >= 0
        assert len(row.samples_per_repetition) == 2 and sum(row.samples_per_repetition) == row.iterations
        assert len(row.repetition_medians_ms) == 2 and row.repetition_spread >= 0 and row.unstable in (True, False)
        assert 0 < row.rss_peak_sampled_bytes <= row.peak_rss_bytes
        assert list(row.cpu_affinity) == [0] and row.load_avg_1m_before >= 0
        assert len(row.cpu_freq_mhz_before) > 0 and 0 <= row.other_cpu_busy_fraction <= 1 and row.cooldown_wait_s >= 0
        assert row.model_flops > 0 and row.peak_gflops_per_s > 0 and 0 < row.percent_of_peak
        assert row.achieved_gflops_per_s == pytest.approx(row.model_flops / row.latency_p50_ms / 1e6)
    assert set(ok.flops_counter) == {"torch.utils.flop_counter", "tf.profiler float_operation"}
    assert set(ok[ok.runtime == "litert"].format) == {"tflite"}
    assert set(ok[ok.runtime == "executorch"].converter) == {"executorch"}


def test_lite_interpreter_rows_record_that_optimize_for_mobile_was_unavailable(two_runs):
    folder, _, _ = two_runs
    frame = results.load(_run_dirs(folder)[0])
    notes = frame[(frame.runtime == "torchscript") & (frame.status == "ok")].conversion_notes.iloc[0]
    assert "optimize_for_mobile" in notes


def test_failures_and_skips_are_rows_that_say_why(two_runs):
    folder, _, _ = two_runs
    frame = results.load(_run_dirs(folder)[0]).set_index(["model", "runtime", "delegate"])
    conversion = frame.loc[("not_a_model", "torchscript", "none")]
    assert conversion.status == "failed" and conversion.stage == "convert" and "not a torch.nn.Module" in conversion.error
    corrupt = frame.loc[("corrupt", "litert", "xnnpack")]  # its signature is read when it is imported
    assert corrupt.status == "failed" and corrupt.stage == "convert" and "cannot read corrupt.tflite as .tflite" in corrupt.error
    keras = frame.loc[("tiny_keras", "executorch", "xnnpack")]
    assert keras.status == "skipped" and "Keras" in keras.error
    assert frame.loc[("corrupt", "executorch", "xnnpack")].status == "skipped"
    for runtime in ("litert", "executorch"):
        unsupported = frame.loc[("inverse", runtime, "xnnpack")]
        assert unsupported.status == "failed" and unsupported.stage == "convert"
        assert "unsupported operator aten.linalg_inv_ex" in unsupported.error and "\n" not in unsupported.error


def test_rows_carry_versions_operators_delegation_and_parity(two_runs):
    folder, _, _ = two_runs
    frame = results.load(_run_dirs(folder)[0])
    ok = frame[(frame.status == "ok") & (frame.model == "tiny_cnn")].set_index(["runtime", "delegate", "threads"])
    tflite = ok.loc[("litert", "xnnpack", 1)]
    assert tflite.format_version == "TFLite schema v3" and tflite.min_runtime_version and tflite.metadata_embedded
    assert "CONV_2D v1" in list(tflite.operators) and tflite.delegated_share == 1.0
    assert ok.loc[("litert", "none", 1)].delegated_share == 0.0
    assert ok.loc[("executorch", "xnnpack", 1)].delegated_share > 0.5
    for _, row in ok.iterrows():
        assert row.parity_cosine > 0.9999 and row.parity_flagged == False  # noqa: E712 (numpy bool)
        assert Path(row.operator_list_file).is_file()
    lists = sorted(p.name for p in (_run_dirs(folder)[0] / "operator_lists").iterdir())
    assert lists == ["executorch_selected_operators.yaml", "tflite_operators.yaml", "torchscript_operators.yaml"]


def test_a_device_whose_runtimes_are_too_old_refuses_before_running(two_runs):
    folder, _, _ = two_runs
    devices = folder / "devices.yaml"
    devices.write_text("old:\n  platform: host\n  runtime_versions: {tflite: '1.0.0', ptl_max_bytecode: 3}\n")
    matrix = folder / "old.yaml"
    matrix.write_text("models:\n  - {name: tiny_cnn, factory: 'tests.fixtures.tiny_models:tiny_cnn', inputs: [[1, 3, 16, 16]]}\n"
                      "runtimes: [litert, torchscript]\ndelegates: [none]\n")
    env = {**os.environ, "HARNESS_CACHE_DIR": str(folder / "cache")}
    completed = subprocess.run([sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--device", "old",
                                "--devices", str(devices), "--results", str(folder / "old-results")],
                               capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert completed.returncode == 0, completed.stderr[-2000:]
    frame = results.load(folder / "old-results").set_index("runtime")
    assert set(frame.status) == {"failed"} and set(frame.stage) == {"compatibility"}
    assert "old has 1.0.0" in frame.loc["litert"].error and "loads up to v3" in frame.loc["torchscript"].error
    assert frame.loc["litert"].iterations is None or pd.isna(frame.loc["litert"].iterations)


def test_second_run_converts_nothing(two_runs):
    folder, first, second = two_runs
    assert ": converted" in first.stderr and ": converted" not in second.stderr
    frame = results.load(_run_dirs(folder)[1])
    ran = frame[frame.status == "ok"]
    assert len(ran) == 8 and ran.from_cache.all()


def test_run_metadata_snapshots_the_matrix(two_runs):
    folder, _, _ = two_runs
    metadata = RunStore(_run_dirs(folder)[0]).metadata()
    assert metadata["matrix"]["text"] == MATRIX and metadata["status"] == "finished"
    assert metadata["libraries"]["executorch"] == "1.5.1" and metadata["device"]["platform"] == "host"
    assert set(metadata["peak_gflops_per_s"]) == {"1", "2"} and all(v > 0 for v in metadata["peak_gflops_per_s"].values())


def test_results_load_reads_a_folder_of_runs(two_runs):
    folder, _, _ = two_runs
    assert results.load(folder / "results").run_id.nunique() == 2


def _converted(folder: Path, label_prefix: str) -> Path:
    import json

    for record in (folder / "cache" / "artifacts").glob("*/*/artifact.json"):
        data = json.loads(record.read_text())
        if data["label"].startswith(label_prefix):
            return record.parent / data["file"]
    raise AssertionError(f"no cached artifact for {label_prefix}")


def test_already_converted_files_run_as_user_models(two_runs):
    folder, _, _ = two_runs
    matrix = folder / "files.yaml"
    matrix.write_text(
        "models:\n"
        f"  - {{name: given_tflite, file: {_converted(folder, 'tiny_cnn -> tflite')}}}\n"
        f"  - {{name: given_pte, file: "
        f"{_converted(folder, 'tiny_cnn -> pte (executorch, quantization=fp32,delegate=xnnpack')}}}\n"
        f"  - {{name: given_ptl, file: {_converted(folder, 'tiny_cnn -> ptl')}, inputs: [[1, 3, 16, 16]]}}\n"
        f"  - {{name: wrong_inputs, file: {_converted(folder, 'tiny_cnn -> tflite')}, inputs: [[1, 3, 8, 8]]}}\n"
        "runtimes: [litert, executorch, torchscript]\ndelegates: [xnnpack, none]\n"
        "measurement: {warmup_runs: 0, min_iterations: 3, min_seconds: 0, max_seconds: 1, repetitions: 2, max_repetitions: 2}\n")
    completed = _bench(matrix, folder / "file-results", folder / "cache")
    assert completed.returncode == 0, completed.stderr[-3000:]
    frame = results.load(folder / "file-results").set_index(["model", "runtime", "delegate"])
    for key in [("given_tflite", "litert", "xnnpack"), ("given_tflite", "litert", "none"),
                ("given_pte", "executorch", "xnnpack"), ("given_ptl", "torchscript", "none")]:
        assert frame.loc[key].status == "ok", frame.loc[key].error
        assert frame.loc[key].converter == "import"
        assert list(frame.loc[key].cpu_affinity) == sorted(os.sched_getaffinity(0))  # not pinned: every CPU
    mismatch = frame.loc[("given_pte", "executorch", "none")]
    assert mismatch.status == "failed" and "applied xnnpack" in mismatch.error  # the .pte decides, and says so
    assert frame.loc[("given_tflite", "executorch", "xnnpack")].status == "skipped"
    wrong = frame.loc[("wrong_inputs", "litert", "xnnpack")]
    assert wrong.status == "failed" and "the matrix gives inputs [[1, 3, 8, 8]] but" in wrong.error
