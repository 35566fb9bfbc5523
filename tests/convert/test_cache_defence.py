"""The cache defends itself: changed files are converted again, one conversion per key at a time, ls and prune."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace

from harness.cli import main
from harness.convert.cache import ARTIFACT_FILE, ArtifactCache, cache_key
from harness.convert.cache_admin import cache_entries, prune
from tests.convert.test_cache import _conversion, _stored


def _fake_conversion(cache: ArtifactCache, conversion, tmp_path, calls: list):
    """cache._convert stored by hand: what it does in child processes is tested elsewhere."""

    def convert(conversion_, key, timeout, forks):
        calls.append(key)
        key_ = _stored(cache, conversion_, tmp_path / f"work{len(calls)}")
        return replace(cache.lookup(key_), from_cache=False)

    return convert


def test_a_file_that_no_longer_matches_its_sha256_is_converted_again_and_says_so(tmp_path, monkeypatch):
    cache, conversion = ArtifactCache(tmp_path / "cache"), _conversion()
    key = _stored(cache, conversion, tmp_path)
    stored = cache.folder(key) / "model.pte"
    stored.write_bytes(b"CONVERTED BYTES")  # same size, other bytes
    calls: list[str] = []
    monkeypatch.setattr(cache, "_convert", _fake_conversion(cache, conversion, tmp_path, calls))
    artifact = cache.get_or_convert(conversion)
    assert calls == [key] and not artifact.from_cache
    assert artifact.cache_warning == ("converted again: the cached entry was refused, model.pte no longer matches "
                                      "the SHA-256 recorded when it was stored")
    # Another cell of this run whose conversion shares the key takes the new file, and says so too.
    assert calls == [key] and cache.convert(conversion, key).cache_warning == artifact.cache_warning
    assert ArtifactCache(cache.root).get_or_convert(conversion).cache_warning is None  # the next run trusts it


def test_an_unreadable_record_is_a_miss_not_a_traceback(tmp_path):
    cache = ArtifactCache(tmp_path / "cache")
    key = _stored(cache, _conversion(), tmp_path)
    (cache.folder(key) / ARTIFACT_FILE).write_bytes(b"{\xff not json")
    assert cache.lookup(key) is None
    assert "cannot be read" in cache.record(key)


def test_two_conversions_of_one_key_never_overlap_and_the_second_takes_the_first_file(tmp_path, monkeypatch):
    cache, conversion = ArtifactCache(tmp_path / "cache"), _conversion()
    key, inside, overlaps, calls = cache_key(conversion), [], [], []
    fake = _fake_conversion(cache, conversion, tmp_path, calls)

    def slow(conversion_, key_, timeout, forks):
        inside.append(1)
        overlaps.append(len(inside) > 1)
        time.sleep(0.2)  # long enough for the other thread to reach the lock
        result = fake(conversion_, key_, timeout, forks)
        inside.pop()
        return result

    monkeypatch.setattr(ArtifactCache, "_convert", lambda self, *args: slow(*args))
    results = []  # each thread has its own ArtifactCache, as two processes would
    threads = [threading.Thread(target=lambda: results.append(ArtifactCache(cache.root).convert(conversion, key)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [key] and overlaps == [False]
    assert sorted(r.from_cache for r in results) == [False, True]


def test_ls_and_prune_show_and_reclaim(tmp_path, capsys):
    cache = ArtifactCache(tmp_path / "cache")
    old = _stored(cache, _conversion(), tmp_path / "a")
    fresh = _stored(cache, _conversion(delegate="none"), tmp_path / "b")
    broken = _stored(cache, _conversion(runtime_name="litert"), tmp_path / "c")
    (cache.folder(broken) / "model.tflite").write_bytes(b"changed bytes!!")
    os.utime(cache.folder(old) / ARTIFACT_FILE, (time.time() - 40 * 86400,) * 2)
    assert {e.key: e.usable for e in cache_entries(cache)} == {old: True, fresh: True, broken: False}
    assert main(["cache", "ls", "--cache-dir", str(cache.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[-1].endswith("3 entries, 0.0 MB") and "unusable: model.tflite" in "".join(lines)
    removed, _ = prune(cache)
    assert [e.key for e in removed] == [broken]
    assert main(["cache", "prune", "--older-than", "30", "--cache-dir", str(cache.root)]) == 0
    assert capsys.readouterr().out.endswith(": removed 1 entries, freed 0.0 MB\n")
    assert [e.key for e in cache_entries(cache)] == [fresh]
