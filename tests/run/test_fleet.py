"""A matrix on several fake devices at once: every device gets every cell once, in its own order, and the
host's cells run alone. The same on emulated phones: tests/devices/android/test_several_phones.py."""

from __future__ import annotations

import json
import threading
import time

from harness import results
from harness.config.matrix import load_matrix
from harness.errors import DeviceError
from harness.run.bench import run_bench
from tests.run.test_bench import MATRIX, FakeCache, FakeDevice


class NamedDevice(FakeDevice):
    """A fake phone (or the host) that notes, under one lock, which devices are inside ``run`` at each call."""

    inside: set[str] = set()
    overlaps: list[tuple[str, frozenset[str]]] = []
    lock = threading.Lock()

    def __init__(self, name: str, platform: str = "android", fail_open: bool = False):
        super().__init__()
        self.name, self.platform, self.fail_open = name, platform, fail_open

    def open_run(self, run_id):
        if self.fail_open:
            raise DeviceError(f"{self.name}: device offline")

    def run(self, request, files, launch):
        with self.lock:
            self.overlaps.append((self.name, frozenset(self.inside)))
            self.inside.add(self.name)
        time.sleep(0.01)  # long enough for another device's thread to come in, were it allowed to
        try:
            return super().run(request, files, launch)
        finally:
            with self.lock:
                self.inside.discard(self.name)


def _bench(tmp_path, write_matrix, devices, text=MATRIX, **options):
    NamedDevice.inside, NamedDevice.overlaps = set(), []
    return run_bench(load_matrix(write_matrix(text)), devices, tmp_path / "results", FakeCache(tmp_path),
                     run_id="run", **options)


def _orders(devices, rows):
    """Each device's cells in the order it ran them, as (model, runtime, delegate)."""
    cells = {row.cell_id: (row.model, row.runtime, row.delegate) for row in rows.itertuples()}
    return {d.name: [cells[r.cell_id] for r in d.requests] for d in devices}


def test_every_device_gets_every_cell_once_in_its_own_order(tmp_path, write_matrix):
    devices = [NamedDevice("a"), NamedDevice("b"), NamedDevice("host", "host")]
    summary = _bench(tmp_path, write_matrix, devices, MATRIX.replace("repetitions: 2", "repetitions: 1, seed: 3"))
    rows = results.load(summary.run_dir)
    assert sorted(rows.device.unique()) == ["a", "b", "host"] and rows.cell_id.is_unique
    per_device = rows.groupby("device").apply(lambda g: sorted(zip(g.model, g.runtime, g.delegate)))
    assert per_device["a"] == per_device["b"] == per_device["host"] and len(per_device["a"]) == 6
    assert summary.counts == {"ok": 18, "failed": 0, "skipped": 0}
    assert summary.counts_by_device["a"] == {"ok": 6, "failed": 0, "skipped": 0}
    orders = _orders(devices, rows)
    assert all(sorted(order) == sorted(orders["a"]) for order in orders.values())
    assert len({tuple(order) for order in orders.values()}) > 1  # each device's order is its own
    again = [NamedDevice("a"), NamedDevice("b"), NamedDevice("host", "host")]
    (tmp_path / "again").mkdir()
    _bench(tmp_path / "again", write_matrix, again, MATRIX.replace("repetitions: 2", "repetitions: 1, seed: 3"))
    assert _orders(again, rows) == orders  # and reproducible from the seed
    metadata = json.loads((summary.run_dir / "run.json").read_text())
    assert [d["name"] for d in metadata["devices"]] == ["a", "b", "host"] and "device" not in metadata


def test_the_host_runs_alone_and_phones_run_at_once(tmp_path, write_matrix):
    _bench(tmp_path, write_matrix, [NamedDevice("host", "host"), NamedDevice("a"), NamedDevice("b")])
    host_calls = [others for name, others in NamedDevice.overlaps if name == "host"]
    assert len(host_calls) == 12 and all(not others for others in host_calls)
    phones_seen_together = [others for name, others in NamedDevice.overlaps if name != "host" and others]
    assert phones_seen_together and all("host" not in others for others in phones_seen_together)


def test_a_device_lost_before_its_share_fails_only_its_cells(tmp_path, write_matrix):
    summary = _bench(tmp_path, write_matrix, [NamedDevice("a", fail_open=True), NamedDevice("b")])
    rows = results.load(summary.run_dir).set_index("device")
    lost = rows.loc["a"]
    assert len(lost) == 6 and set(lost.status) == {"failed"} and set(lost.stage) == {"device"}
    assert set(lost.error) == {"a: device offline"}
    assert len(rows.loc["b"]) == 6 and set(rows.loc["b"].status) == {"ok"}


def test_resume_finishes_each_devices_share(tmp_path, write_matrix):
    summary = _bench(tmp_path, write_matrix, [NamedDevice("a"), NamedDevice("b")])
    kept = sorted((summary.run_dir / "cells").glob("*.parquet"))
    for path in kept[::3]:
        path.unlink()
    devices = [NamedDevice("a"), NamedDevice("b")]
    resumed = _bench(tmp_path, write_matrix, devices, resume=summary.run_dir)
    assert resumed.counts["already recorded"] == len(kept) - len(kept[::3])
    assert sorted((summary.run_dir / "cells").glob("*.parquet")) == kept
    rerun = {r.cell_id for d in devices for r in d.requests}
    assert rerun <= {p.stem for p in kept[::3]}


class VanishingDevice(NamedDevice):
    """Answers its first request, then never again."""

    def run(self, request, files, launch):
        if self.requests:
            self.requests.append(request)
            raise DeviceError(f"{self.name}: connection lost; gave up after 4 attempts")
        return super().run(request, files, launch)

    def reachable(self):
        return not self.requests


def test_a_device_gone_mid_run_fails_its_remaining_cells_at_once(tmp_path, write_matrix):
    gone = VanishingDevice("a")
    one_each = MATRIX.replace("repetitions: 2", "repetitions: 1, order: shuffled")  # cells one after another
    summary = _bench(tmp_path, write_matrix, [gone, NamedDevice("b")], one_each)
    rows = results.load(summary.run_dir).set_index("device").sort_values("started_at")
    assert list(rows.loc["a"].status) == ["ok", "failed", *["failed"] * 4] and set(rows.loc["b"].status) == {"ok"}
    assert list(rows.loc["a"].error)[1] == "a: connection lost; gave up after 4 attempts"
    assert all(e == "not run: a stopped answering after: a: connection lost; gave up after 4 attempts"
               for e in list(rows.loc["a"].error)[2:])
    assert len(gone.requests) == 2  # no request reached the lost device after it stopped answering
