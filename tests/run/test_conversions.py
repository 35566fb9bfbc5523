"""A run's conversions: cached files first, the rest at once, as many as cores and memory allow."""

from __future__ import annotations

import re
import threading
import zipfile

import pytest

from harness.convert.cache import Artifact, ArtifactCache, ConversionFailure, cache_key, conversion_steps
from harness.convert.catalog import conversion_for
from harness.errors import ConversionError
from harness.forkserver import ForkServers
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

    def convert(self, conversion, key, use_cache=True, forks=None):
        assert forks is not None  # the run's fork servers
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


def _timeless_bytes(data: bytes) -> bytes:
    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", b"<created>", data)


def _content(path) -> dict[str, bytes]:
    """The file's bytes, the metadata's time aside; a zip's (.ptl) member by member, whose CRCs cover that time,
    but for TorchScript's debug tables, which record the Python stack that traced the model (a forked child's
    starts in the fork server), and the random id torch.save gives every file."""
    if not zipfile.is_zipfile(path):
        return {"": _timeless_bytes(path.read_bytes())}
    with zipfile.ZipFile(path) as archive:
        return {name: _timeless_bytes(archive.read(name)) for name in archive.namelist()
                if not name.endswith((".debug_pkl", "/serialization_id"))}


def _pathless(operator_list) -> str:
    return re.sub(r"\S*/artifact/model\.\w+", "<file>", operator_list.read_text())  # where it was converted


def _timeless(inspection) -> dict:
    figures = inspection.model_dump(exclude={"size_bytes"})  # a .ptl's debug tables differ, above
    del figures["metadata"]["harness"]["created"]
    return figures


def test_forked_conversions_write_the_same_files_and_checks_as_spawned_ones(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(conversions, "ForkServers", lambda: started.append(ForkServers()) or started[-1])
    forked = convert_all(CONVERSIONS, ArtifactCache(tmp_path / "forked"), True, lambda _: None, Timeline(None), 2)
    spawned = {c: ArtifactCache(tmp_path / "spawned").get_or_convert(c) for c in CONVERSIONS}  # no servers
    for conversion in CONVERSIONS:
        one, other = forked[conversion], spawned[conversion]
        assert isinstance(one, Artifact), one
        assert _content(one.path) == _content(other.path)
        assert _timeless(one.inspection) == _timeless(other.inspection) and one.checks == other.checks
        assert _pathless(one.operator_list) == _pathless(other.operator_list)
    assert not started[0].has(conversion_steps(CONVERSIONS[0])[0])  # every server stopped at the end
