"""`harness bench --device a,b,c` (what `make bench DEVICE=a,b,c` runs) on three emulated phones behind one
real adb server, all at once: every phone gets every cell once, in its own seeded order; resume finishes
each phone's share; a phone gone for good mid-run fails only its own remaining cells."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time

import pytest

from harness import results
from harness.run.timeline import read_timeline
from tests.conftest import REPO, require
from tests.fixtures.phone.adbd import EmulatedPhone
from tests.fixtures.tiny_models import TINY_CNN_EVERY_RUNTIME

NAMES = ("a", "b", "c")
MATRIX = "name: phones\n" + TINY_CNN_EVERY_RUNTIME.replace("[litert, executorch, torchscript]", "[litert]").replace(
    "delegates: [xnnpack, none]", "delegates: [xnnpack]\nthreads: [1, 2, 3]") + """\
measurement: {warmup_runs: 1, min_iterations: 5, min_seconds: 0, max_seconds: 1, repetitions: 1, max_repetitions: 1,
              seed: 7, cell_timeout_seconds: 20,
              cooldown: {max_cpu_busy: 1.0, max_temperature_c: 60, timeout_seconds: 30, poll_seconds: 0.2}}
"""


@pytest.fixture
def phones(adb_server, tmp_path):
    require("ai_edge_litert")
    require("litert_torch")
    started = {name: EmulatedPhone(tmp_path / f"phone-{name}", serial_name=f"emulated-{name}") for name in NAMES}
    for phone in started.values():
        phone.start()
        subprocess.run(["adb", "connect", f"127.0.0.1:{phone.port}"], check=True, capture_output=True, timeout=30)
    ports = {name: phone.port for name, phone in started.items()}
    yield started
    for name, phone in started.items():
        subprocess.run(["adb", "disconnect", f"127.0.0.1:{ports[name]}"], capture_output=True, timeout=30)
        phone.stop()


@pytest.fixture
def setup(phones, tmp_path, cache_dir):
    devices = tmp_path / "devices.yaml"
    devices.write_text("".join(f"{name}:\n  platform: android\n  serial: 127.0.0.1:{phone.port}\n  mode: app\n"
                               for name, phone in phones.items()))
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(MATRIX)
    return matrix, devices, cache_dir


def _bench(setup, results_dir, *extra) -> subprocess.CompletedProcess:
    matrix, devices, cache_dir = setup
    command = [sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--devices", str(devices),
               "--device", ",".join(NAMES), "--results", str(results_dir), "--run-id", "run", *extra]
    env = {**__import__("os").environ, "HARNESS_CACHE_DIR": str(cache_dir)}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=900)


def _expected_order(device: str) -> list[int]:
    """The threads of each cell, in the order run/cells.py shuffles them for this device (plan order: 1, 2, 3)."""
    order = [1, 2, 3]
    random.Random(f"7:{device}").shuffle(order)
    return order


def test_every_phone_runs_every_cell_once_in_its_own_order_and_resume_finishes_each(setup, tmp_path):
    completed = _bench(setup, tmp_path / "results")
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = results.load(tmp_path / "results" / "run")
    assert rows.groupby("device").threads.apply(sorted).to_dict() == {name: [1, 2, 3] for name in NAMES}
    assert set(rows.status) == {"ok"} and rows.cell_id.is_unique and set(rows.platform) == {"android"}
    for name in NAMES:
        ran = rows[rows.device == name].sort_values("started_at")
        assert list(ran.threads) == _expected_order(name)
    assert all(f"{name}: tiny_cnn" in completed.stderr for name in NAMES)  # progress names every phone
    assert all(f"  {name}: 3 ok, 0 failed, 0 skipped" in completed.stdout for name in NAMES)

    cells = sorted((tmp_path / "results" / "run" / "cells").glob("*.parquet"))
    kept = {path.name: path.read_bytes() for path in cells[1::2]}
    for path in cells[::2]:  # as if the run had been killed: some cells of every phone missing
        path.unlink()
    resumed = _bench(setup, tmp_path / "results", "--resume", str(tmp_path / "results" / "run"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = {path.name: path.read_bytes() for path in (tmp_path / "results" / "run" / "cells").glob("*.parquet")}
    assert sorted(after) == [path.name for path in cells] and all(after[name] == kept[name] for name in kept)
    assert f"{len(kept)} already recorded" in resumed.stdout


@pytest.mark.slow  # about a minute: the link's retries on the lost phone's cell (tests/run/test_fleet.py covers the rest)
def test_a_phone_gone_for_good_fails_only_its_own_remaining_cells(setup, phones, tmp_path):
    run = tmp_path / "results" / "run"
    dropped = phones["b"]

    def drop_after_first_row() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if any(span["phase"] == "write" and span.get("device") == "b" for span in read_timeline(run)):
                dropped.stop()  # the cable pulled: no connection, none accepted again
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=drop_after_first_row, daemon=True)
    watcher.start()
    completed = _bench(setup, tmp_path / "results")
    watcher.join(5)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = results.load(run)
    assert len(rows) == 9 and rows.cell_id.is_unique
    assert set(rows[rows.device != "b"].status) == {"ok"}
    lost = rows[rows.device == "b"].sort_values("started_at")
    assert lost.status.iloc[0] == "ok" and set(lost.status.iloc[1:]) == {"failed"}
    assert set(lost.stage.iloc[1:]) == {"device"} and lost.error.iloc[1:].str.len().gt(0).all()
    assert lost.error.iloc[-1].startswith("not run: b stopped answering after: ")  # no retries once it is gone
