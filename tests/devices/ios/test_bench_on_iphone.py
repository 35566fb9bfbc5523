"""`harness bench` on the emulated iPhone, through the CLI in a process of its own: pymobiledevice3's usbmux and
lockdown code on the wire to the emulated usbmuxd, its service classes autospecced (tests/fixtures/iphone/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import results
from tests.conftest import REPO, _free_port, require
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

MATRIX = "name: iphone\n" + TINY_CNN_EVERY_RUNTIME + """\
measurement: {warmup_runs: 1, min_iterations: 5, min_seconds: 0, max_seconds: 1, repetitions: 1,
              max_repetitions: 1, order: as_listed, cell_timeout_seconds: %(timeout)d,
              cooldown: {max_cpu_busy: 1.0, max_temperature_c: 60, timeout_seconds: 30, poll_seconds: 0.2}}
"""


@pytest.fixture(autouse=True)
def _runtimes():
    for module in ("torch", "executorch", "ai_edge_litert", "litert_torch"):
        require(module)


def _bench(cache_dir: Path, tmp_path: Path, devices: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(MATRIX.replace("%(timeout)d", str(timeout)))
    command = [sys.executable, "-m", "tests.fixtures.iphone.harness_main", "bench", "--matrix", str(matrix),
               "--devices", str(devices), "--device", "iphone", "--results", str(tmp_path / "results")]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=900,
                          env={**os.environ, "HARNESS_CACHE_DIR": str(cache_dir)})


def _rows(tmp_path: Path):
    return results.load(tmp_path / "results").set_index(["runtime", "delegate"])


def test_a_matrix_runs_in_the_app_with_the_columns_of_android_rows(iphone, devices_file, tmp_path, cache_dir):
    from harness.results.schema import COLUMNS

    completed = _bench(cache_dir, tmp_path, devices_file)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = _rows(tmp_path)
    assert len(rows) == 4 and set(rows.status) == {"ok"}, rows[["status", "error"]]
    assert set(rows.reset_index().columns) == set(COLUMNS.names)  # the one schema every platform's rows follow
    assert set(rows.platform) == {"ios"} and set(rows.execution_mode) == {"app"}
    assert set(rows.device_model) == {"Test iPhone (iPhone15,2)"}
    assert set(rows.battery_level_pct) == {85.0} and rows.battery_charging.all()
    assert set(rows.battery_temperature_c) == {29.5} and set(rows.thermal_status) == {"nominal"}
    assert set(rows.app_package) == {"org.mobilebench.shell"} and set(rows.app_version_code) == {1}
    assert (rows.latency_p50_ms > 0).all() and (rows.peak_rss_bytes > 0).all() and rows.raw_samples.all()
    assert list(rows.delegate_applied) == list(rows.index.get_level_values("delegate"))
    runs = iphone.container() / "Documents/runs"
    assert runs.is_dir() and not list(runs.iterdir())  # close_run removed the run's folder
    assert iphone.read()["launches"] == 4


def test_a_launch_that_hangs_is_killed_at_the_timeout(iphone, devices_file, tmp_path, cache_dir):
    iphone.change(app_behaviour="hang")
    completed = _bench(cache_dir, tmp_path, devices_file, timeout=4)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = _rows(tmp_path)
    assert set(rows.status) == {"failed"} and set(rows.stage) == {"device"}
    assert rows.error.str.contains("the app wrote no result within 4s; killed it").all()
    assert rows.error.str.contains("MobileBench: request").all()


def test_an_app_that_dies_without_a_result_leaves_its_log_in_the_error(iphone, devices_file, tmp_path, cache_dir):
    iphone.change(app_behaviour="crash")
    completed = _bench(cache_dir, tmp_path, devices_file)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = _rows(tmp_path)
    assert set(rows.status) == {"failed"}
    errors = set(rows.error)
    assert all("the app exited without writing a result" in e and "MobileBench: loading model.pte" in e for e in errors)
    assert not any("launched by DVT" in e for e in errors)  # only the app's own MobileBench: lines


def test_unplugged_mid_run_fails_the_rest_at_once(iphone, devices_file, tmp_path, cache_dir):
    iphone.change(unplug_at_launch=2)
    completed = _bench(cache_dir, tmp_path, devices_file)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = results.load(tmp_path / "results").sort_values("started_at")
    assert list(rows.status) == ["ok", "failed", "failed", "failed"], rows[["status", "error"]]
    lost = rows.iloc[1]
    assert lost.stage == "device" and "the iPhone is not attached" in lost.error and "gave up after 4 attempts" in lost.error
    assert "launching the app: the iPhone went away (ConnectionTerminatedError)" in lost.warnings
    assert "retrying in 1s" in lost.warnings
    assert rows.iloc[2:].error.str.startswith("not run: iphone stopped answering after:").all()


def test_without_tunneld_the_run_stops_with_one_line(iphone, tmp_path, cache_dir):
    devices = tmp_path / "devices.yaml"
    devices.write_text(f"iphone:\n  platform: ios\n  udid: auto\n  tunneld: 127.0.0.1:{_free_port()}\n")
    completed = _bench(cache_dir, tmp_path, devices)
    assert completed.returncode == 1
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("harness: error: ") and "`sudo pymobiledevice3 remote tunneld`" in last
    assert "Traceback" not in completed.stderr


def test_devices_lists_the_attached_iphone(iphone, devices_file):
    completed = subprocess.run([sys.executable, "-m", "tests.fixtures.iphone.harness_main", "devices", "--devices",
                                str(devices_file)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stdout.splitlines() if "00008110-000A1B2C3D4E5F60:" in line)
    for fact in ("Test iPhone (iPhone15,2)", "iOS 17.5 (21F79)", "battery 85% at 29.5 C, charging",
                 "developer mode on", "developer disk image mounted", "(USB)"):
        assert fact in line
    assert "iphone       ios      udid=auto, mode=app" in completed.stdout
