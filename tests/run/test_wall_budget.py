"""The wall budget: a shell process split by its own timings, transfers out of it, the rest unaccounted."""

from __future__ import annotations

import json

import pytest

from harness.results.store import RunStore
from harness.run.timeline import TIMELINE_FILE, Timeline
from harness.run.wall_budget import UNACCOUNTED, budget_table, wall_budget


def _run_folder(tmp_path, spans, **metadata):
    store = RunStore.create(tmp_path, "run", {"started_at": "2026-11-25T10:00:00+00:00",
                                              "finished_at": "2026-11-25T10:01:40+00:00", **metadata})
    timeline = Timeline(store.folder / TIMELINE_FILE)
    for span in spans:
        timeline.add(**span)
    return store.folder


SPANS = [
    {"phase": "convert", "started": 0.0, "seconds": 30.0, "runtime": "litert"},
    {"phase": "peak", "started": 30.0, "seconds": 2.0, "threads": 1},
    {"phase": "cooldown", "started": 32.0, "seconds": 0.5, "runtime": "litert", "cell_id": "c", "repetition": 1},
    {"phase": "shell", "started": 32.5, "seconds": 10.0, "runtime": "litert", "cell_id": "c", "repetition": 1,
     "inside": {"load": 0.5, "first_inference": 0.2, "warmup": 0.3, "timed": 5.0}},
    {"phase": "transfer", "started": 33.0, "seconds": 1.0, "runtime": "litert", "cell_id": "c", "repetition": 1},
    {"phase": "state", "started": 42.5, "seconds": 0.1, "runtime": "litert", "cell_id": "c", "repetition": 1},
    {"phase": "write", "started": 42.6, "seconds": 0.4, "runtime": "litert", "cell_id": "c"},
]


def test_a_shell_process_is_split_by_its_own_timings(tmp_path):
    run, per_runtime = wall_budget(_run_folder(tmp_path, SPANS))
    litert = per_runtime["litert"]
    # 10 s of process: 6 s it timed itself, 1 s of pushing and pulling within it, 3 s starting and exiting
    assert litert.seconds == pytest.approx({"convert": 30.0, "startup": 3.0, "load": 0.5, "warmup": 0.5,
                                            "timed": 5.0, "cooldown": 0.5, "state": 0.1, "transfer": 1.0,
                                            "write": 0.4})
    assert litert.repetitions == 1 and litert.timed_share == pytest.approx(5.0 / 11.0)
    assert run.seconds["peak"] == 2.0 and "all" not in per_runtime


def test_the_run_table_ends_with_what_no_span_covers(tmp_path):
    run, _ = wall_budget(_run_folder(tmp_path, SPANS))
    assert run.wall_seconds == 100.0  # run.json: 10:00:00 to 10:01:40
    rows = budget_table(run, with_unaccounted=True)
    assert rows[-1][0] == UNACCOUNTED and rows[-1][1] == pytest.approx(100.0 - 43.0)
    assert sum(share for _, _, share in rows) == pytest.approx(1.0)


def test_a_resumed_run_is_measured_by_its_spans(tmp_path):
    folder = _run_folder(tmp_path, SPANS, resumed_at=["2026-11-25T11:00:00+00:00"])
    run, _ = wall_budget(folder)
    assert run.wall_seconds == pytest.approx(43.0)  # from the first span's start to the last one's end


def test_a_run_without_a_timeline_has_an_empty_budget(tmp_path):
    folder = _run_folder(tmp_path, [])
    assert not (folder / TIMELINE_FILE).exists()
    run, per_runtime = wall_budget(folder)
    assert run.seconds == {} and per_runtime == {} and run.timed_share is None
    assert json.loads((folder / "run.json").read_text())["run_id"] == "run"


def test_parallel_conversions_count_once_in_the_run_and_in_full_per_runtime(tmp_path):
    spans = [{"phase": "convert", "started": 0.0, "seconds": 30.0, "runtime": "litert"},
             {"phase": "convert", "started": 10.0, "seconds": 30.0, "runtime": "executorch"},  # overlaps the first
             {"phase": "convert", "started": 50.0, "seconds": 5.0, "runtime": "executorch"}]
    run, per_runtime = wall_budget(_run_folder(tmp_path, spans))
    assert run.seconds["convert"] == pytest.approx(45.0)  # 0-40 and 50-55
    assert per_runtime["executorch"].seconds["convert"] == pytest.approx(35.0)
