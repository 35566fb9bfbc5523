"""`harness bench` on the emulated phone, through the CLI, a real adb server and both execution modes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import results
from harness.run.timeline import read_timeline
from tests.conftest import REPO, require
from tests.fixtures.phone.adbd import Fault
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

MATRIX = "name: phone\n" + TINY_CNN_EVERY_RUNTIME.replace("%", "%%") + """\
measurement: {warmup_runs: 1, min_iterations: 5, min_seconds: 0, max_seconds: 1, repetitions: %(repetitions)d,
              max_repetitions: %(repetitions)d, order: as_listed, cell_timeout_seconds: 20,
              cooldown: {max_cpu_busy: 1.0, max_temperature_c: 60, timeout_seconds: 30, poll_seconds: 0.2}}
"""


@pytest.fixture(autouse=True)
def _runtimes():
    for module in ("torch", "executorch", "ai_edge_litert", "litert_torch"):
        require(module)


def _matrix(tmp_path: Path, repetitions: int = 1) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(MATRIX % {"repetitions": repetitions})
    return path


def _command(matrix: Path, devices: Path, results_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--devices", str(devices),
            "--device", "pixel", "--results", str(results_dir), *extra]


def _env(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, "HARNESS_CACHE_DIR": str(cache_dir)}


def _bench(cache_dir, *command_args) -> subprocess.CompletedProcess:
    return subprocess.run(_command(*command_args), capture_output=True, text=True, env=_env(cache_dir), cwd=REPO,
                          timeout=900)


def _rows(results_dir: Path):
    return results.load(results_dir).set_index(["runtime", "delegate"])


@pytest.mark.parametrize("mode", ["app", "cli"])
def test_both_modes_record_every_cell_with_phone_columns(mode, devices_file, phone, tmp_path, cache_dir):
    completed = _bench(cache_dir, _matrix(tmp_path), devices_file, tmp_path / "results", "--mode", mode)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = _rows(tmp_path / "results")
    assert len(rows) == 4 and set(rows.status) == {"ok"}, rows[["status", "error"]]
    assert set(rows.execution_mode) == {mode} and set(rows.platform) == {"android"}
    assert set(rows.device_model) == {"Test Emulated Pixel"}
    assert set(rows.battery_level_pct) == {85.0} and set(rows.thermal_status) == {"none"}
    assert set(rows.screen_on) == {True} and all(list(g) == ["schedutil", "performance"] for g in rows.cpu_governors)
    assert (rows.peak_rss_bytes > 0).all() and (rows.pss_peak_sampled_bytes > 0).all()
    assert list(rows.delegate_applied) == list(rows.index.get_level_values("delegate"))
    lite = rows.loc[("litert", "xnnpack")]
    if mode == "app":
        assert set(rows.shell.str.split().str[0]) == {"host-python"} and rows.raw_samples.all()
        assert (rows.latency_p50_ms > 0).all() and (rows.pss_bytes > 0).all()
        packages = dict(zip(rows.index.get_level_values("runtime"), rows.app_package))
        assert packages == {"litert": "org.mobilebench.shell", "executorch": "org.mobilebench.shell",
                            "torchscript": "org.mobilebench.shell.ptl"} and set(rows.app_version_code) == {2}
        log = (phone.root / ".device/logcat.txt").read_text()
        assert log.index("phase timed") < log.index("phase after") and "harness: start" in log
        assert not list(phone.local_path("/sdcard/Android/data/org.mobilebench.shell/files/runs").iterdir())
    else:
        # benchmark_model prints summaries only: the row says so instead of inventing samples.
        assert not lite.raw_samples and lite.latency_samples_ns.size == 0 and lite.latency_p50_ms > 0
        assert lite.latency_mean_ms > 0 and lite.iterations >= 5 and "raw samples unavailable" in lite.warnings
        assert rows.loc[("torchscript", "none")].raw_samples and rows.loc[("executorch", "xnnpack")].raw_samples
    assert phone.local_path("/data/local/tmp/mobile-bench").exists()
    assert list(phone.local_path("/data/local/tmp/mobile-bench").iterdir()) == []  # the run folder is cleaned up


def test_faults_fail_only_their_cell(devices_file, phone, tmp_path, cache_dir):
    # Each matches only the command that runs that tool.
    phone.inject(Fault("drop", "--graph=", times=1))  # benchmark_model: one drop, retried, then fine
    phone.inject(Fault("drop", "--report_pep", times=None))  # speed_benchmark_torch: keeps dropping, gives up
    phone.inject(Fault("hang", "--model_path=", times=None))  # executor_runner: never answers, times out
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("cell_timeout_seconds: 20", "cell_timeout_seconds: 6"))
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--mode", "cli")
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = results.load(tmp_path / "results").set_index("runtime")
    lite = rows.loc["litert"]
    assert set(lite.status) == {"ok"} and lite.warnings.str.contains("retrying").sum() == 1
    torch_row = rows.loc["torchscript"]
    assert torch_row.status == "failed" and torch_row.stage == "device" and "gave up after 4 attempts" in torch_row.error
    executorch_row = rows.loc["executorch"]
    assert executorch_row.status == "failed" and "did not finish within 6s" in executorch_row.error


def test_a_hot_phone_is_waited_for_then_runs(devices_file, phone, tmp_path, cache_dir):
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [litert]")
                      .replace("delegates: [xnnpack, none]", "delegates: [xnnpack]"))
    # Severe and 75 C for the next 8 readings (about 1.4 s of the gate's 0.2 s polls), then 38 C.
    phone.set_state(cpu_temperature_c=75.0, thermal_status=3, screen_on=False, hot_reads=8)
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results")
    assert completed.returncode == 0, completed.stderr[-3000:]
    row = results.load(tmp_path / "results").iloc[0]
    assert row.status == "ok" and not row.cooldown_timed_out
    assert row.temperature_c_before <= 60 and row.thermal_status == "none"
    # The gate before the peak measurement waits first, the cell's own gate for what is left of the heat.
    [run] = (tmp_path / "results").iterdir()
    waits = [span["seconds"] for span in read_timeline(run) if span["phase"] == "cooldown"]
    assert sum(waits) >= 1.0 and row.cooldown_wait_s <= sum(waits)
    assert row.screen_on  # app mode wakes the screen before the first cell


def test_a_killed_run_resumes_without_redoing_or_losing_cells(devices_file, phone, tmp_path, cache_dir):
    matrix, results_dir = _matrix(tmp_path), tmp_path / "results"
    run = results_dir / "killed-run"
    _bench(cache_dir, matrix, devices_file, tmp_path / "warm-cache")  # conversions cached: the kill lands mid-run
    process = subprocess.Popen(_command(matrix, devices_file, results_dir, "--run-id", "killed-run"),
                               env=_env(cache_dir), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((run / "cells").glob("*.parquet"))) < 2:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: p.read_bytes() for p in (run / "cells").glob("*.parquet")}
    assert 2 <= len(before) < 4, "the run should be killed part-way"

    completed = _bench(cache_dir, matrix, devices_file, results_dir, "--resume", str(run))
    assert completed.returncode == 0, completed.stderr[-3000:]
    after = {p.name: p.read_bytes() for p in (run / "cells").glob("*.parquet")}
    assert len(after) == 4 and all(after[name] == data for name, data in before.items())
    rows = results.load(run)
    assert set(rows.status) == {"ok"} and rows.cell_id.is_unique
    metadata = __import__("json").loads((run / "run.json").read_text())
    assert metadata["status"] == "finished" and len(metadata["resumed_at"]) == 1
    assert f"{len(before)} already recorded" in completed.stdout


def test_app_mode_without_the_app_is_one_clear_error(devices_file, phone, tmp_path, cache_dir):
    phone.set_state(apps={})
    completed = _bench(cache_dir, _matrix(tmp_path), devices_file, tmp_path / "results")
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines()[-1].startswith("harness: error: the mobile-bench app")
    assert "Traceback" not in completed.stderr


def test_devices_lists_the_attached_phone(devices_file, phone):
    completed = subprocess.run([sys.executable, "-m", "harness", "devices", "--devices", str(devices_file)],
                               capture_output=True, text=True, cwd=REPO, timeout=120)
    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stdout.splitlines() if f"127.0.0.1:{phone.port}:" in line)
    for fact in ("Test Emulated Pixel", "SoC Emulated SoC", "arm64-v8a", "Android 14 (SDK 34)",
                 "battery 85% at 28.5 C, charging", "thermal status none"):
        assert fact in line
    assert f"pixel        android  serial=127.0.0.1:{phone.port}, mode=app" in completed.stdout


def test_cli_mode_uses_a_fetched_benchmark_model_when_none_is_configured(devices_file, phone, tmp_path, cache_dir):
    from tests.fixtures.phone.fake_tools import write_tool

    fetched = cache_dir / "tools" / "arm64-v8a"  # where `harness fetch-tool --abi arm64-v8a` puts it
    fetched.mkdir(parents=True, exist_ok=True)
    write_tool(fetched, "benchmark_model")
    devices_file.write_text("\n".join(line for line in devices_file.read_text().splitlines() if "benchmark_model:" not in line))
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [litert]"))
    try:
        completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--mode", "cli")
    finally:
        (fetched / "benchmark_model").unlink()
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = results.load(tmp_path / "results")
    assert set(rows.status) == {"ok"} and set(rows.shell.str.split().str[0]) == {"benchmark_model"}


def test_app_mode_updates_an_older_app_from_the_apk(devices_file, phone, tmp_path, cache_dir):
    apk = tmp_path / "app-release.apk"
    apk.write_text("versionCode=2\n")  # the emulated phone's stand-in for the main flavor's APK
    devices_file.write_text(devices_file.read_text() + f"  apk: {apk}\n  sustained_performance: true\n")
    phone.set_state(apps={"org.mobilebench.shell": 1, "org.mobilebench.shell.ptl": 2})
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [litert]")
                      .replace("delegates: [xnnpack, none]", "delegates: [xnnpack]"))
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results")
    assert completed.returncode == 0, completed.stderr[-3000:]
    row = results.load(tmp_path / "results").iloc[0]
    assert row.status == "ok" and "installed org.mobilebench.shell (versionCode 2, was 1)" in row.warnings
    assert row.app_package == "org.mobilebench.shell" and row.app_version_code == 2
    assert "sustained-performance mode was asked for" in row.warnings  # the stand-in shell cannot apply it
    state = __import__("json").loads((phone.root / ".device/state.json").read_text())
    assert state["apps"]["org.mobilebench.shell"] == 2 and state["compiled"] == ["org.mobilebench.shell"]


def test_cli_mode_operator_profiles_flow_into_operator_rows(devices_file, phone, tmp_path, cache_dir):
    """benchmark_model's op profile (the stand-in prints the real layout) becomes rows like the host's."""
    matrix = _matrix(tmp_path)
    matrix.write_text(matrix.read_text().replace("runtimes: [litert, executorch, torchscript]", "runtimes: [litert]")
                      .replace("delegates: [xnnpack, none]", "delegates: [xnnpack]") + "profile: operators\n")
    completed = _bench(cache_dir, matrix, devices_file, tmp_path / "results", "--mode", "cli")
    assert completed.returncode == 0, completed.stderr[-3000:]
    row = results.load(tmp_path / "results").iloc[0]
    assert row.status == "ok" and row.iterations >= 5  # the latency comes from the timed run alone
    operators = results.load_operators(tmp_path / "results")
    assert len(operators) >= 1 and set(operators.cell_id) == {row.cell_id} and set(operators.platform) == {"android"}
    assert set(operators.execution_mode) == {"cli"} and set(operators.ran_on) <= {"xnnpack", "builtin"}
    assert operators.median_ms.isna().all() and (operators.mean_ms > 0).all()  # the tool prints means only
    assert (operators.share > 0).all() and (operators.profiled_inferences >= 5).all()
