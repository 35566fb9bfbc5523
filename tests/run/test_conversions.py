"""A run's conversions: cached files first, the rest at once, as many as cores and memory allow."""

from __future__ import annotations

import threading

import pytest

from harness.convert.cache import Artifact, ConversionFailure, cache_key
from harness.convert.catalog import conversion_for
from harness.errors import ConversionError
from harness.models.spec import ModelSpec, TensorSpec
from harness.run import conversions
from harness.run.conversions import CONVERSION_MEMORY_BYTES, conversion_workers, convert_all
from harness.run.timeline import Timeline, read_timeline
from harness.runtimes import runtime

TINY = ModelSpec("tiny", "torch", "user", (TensorSpec((1, 3, 16, 16)),), "tests.fixtures.tiny_models:tiny_cnn")
CONVERSIONS = [conversion_for(TINY, runtime(name), delegate, "fp32")
               for name, delegate in (("executorch", "xnnpack"), ("executorch", "none"), ("torchscript", "none"))]


class BarrierCache:
    """Each conversion waits until `together` of them are running: only parallel workers get through."""

    def __init__(self, folder, together: int, cached_keys=(), failing=()):
        self.folder, self.cached_keys, self.failing = folder, cached_keys, failing
        self.barrier = threading.Barrier(together, timeout=30)
        self.converted: list[str] = []

    def _artifact(self, key, file_format, converter, from_cache):
        path = self.folder / f"{key}.{file_format}"
        path.write_bytes(b"model")
        return Artifact(key, path, file_format, converter, 5, "0" * 64, TINY.inputs, (), 0.1, from_cache)

    def lookup(self, key):
        return self._artifact(key, "pte", "executorch", True) if key in self.cached_keys else None

    def convert(self, conversion, key, use_cache=True):
        self.barrier.wait()  # raises BrokenBarrierError if the others never arrive
        self.converted.append(conversion.label)
        if conversion.label in self.failing:
            raise ConversionError(f"{conversion.label}: unsupported operator")
        return self._artifact(key, conversion.format, conversion.converter, False)


def test_conversions_run_at_the_same_time(tmp_path):
    cache = BarrierCache(tmp_path, together=3)
    timeline = Timeline(tmp_path / "timeline.jsonl")
    artifacts = convert_all(CONVERSIONS, cache, True, lambda _: None, timeline, workers=3)
    assert set(cache.converted) == {c.label for c in CONVERSIONS}
    assert all(isinstance(a, Artifact) for a in artifacts.values())
    spans = read_timeline(tmp_path)
    assert sorted(s["runtime"] for s in spans) == ["executorch", "executorch", "torchscript"]


def test_a_failed_conversion_is_its_own_failure_and_the_others_finish(tmp_path):
    cache = BarrierCache(tmp_path, together=1, failing=(CONVERSIONS[1].label,))
    events = []
    artifacts = convert_all(CONVERSIONS, cache, True, events.append, Timeline(None), workers=2)
    assert isinstance(artifacts[CONVERSIONS[1]], ConversionFailure)
    assert "unsupported operator" in artifacts[CONVERSIONS[1]].message
    assert sorted(e.status for e in events if e.status) == ["converted", "converted", "failed"]


def test_cached_files_are_not_converted_again(tmp_path):
    cache = BarrierCache(tmp_path, together=1, cached_keys=(cache_key(CONVERSIONS[0]),))
    events = []
    artifacts = convert_all(CONVERSIONS, cache, True, events.append, Timeline(None), workers=1)
    assert artifacts[CONVERSIONS[0]].from_cache and CONVERSIONS[0].label not in cache.converted
    assert [e.status for e in events if e.status][0] == "cached"


@pytest.mark.parametrize(("cores", "memory", "pending", "expected"), [
    (8, 64 * CONVERSION_MEMORY_BYTES, 24, 8),  # cores bound it
    (8, 3 * CONVERSION_MEMORY_BYTES, 24, 3),  # memory bounds it
    (8, CONVERSION_MEMORY_BYTES // 2, 24, 1),  # always at least one
    (8, None, 2, 2),  # no more workers than conversions; unknown memory does not bound it
])
def test_workers_are_bounded_by_cores_and_memory(monkeypatch, cores, memory, pending, expected):
    monkeypatch.setattr(conversions.os, "sched_getaffinity", lambda _: set(range(cores)))
    monkeypatch.setattr(conversions, "available_memory_bytes", lambda: memory)
    assert conversion_workers(pending) == expected


def test_a_requested_worker_count_wins(monkeypatch):
    monkeypatch.setattr(conversions, "available_memory_bytes", lambda: 0)
    assert conversion_workers(24, requested=4) == 4
    assert conversion_workers(2, requested=4) == 2
