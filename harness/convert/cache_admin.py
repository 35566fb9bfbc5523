"""What `harness cache ls` and `harness cache prune` see and remove: the cache's entries, their size and
last use, and the ones that cannot be used any more. Removing an entry takes its key's lock, so an entry
another process is converting or replacing is left alone."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

from harness.convert.cache import ARTIFACT_FILE, ArtifactCache

LEFTOVER_SECONDS = 24 * 3600.0  # a tmp folder this old belongs to no conversion still running


@dataclass(frozen=True)
class CacheEntry:
    key: str
    folder: Path
    label: str  # the conversion, or why the entry cannot be used
    format: str | None
    size_bytes: int
    last_used: float  # seconds since the epoch
    usable: bool


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def cache_entries(cache: ArtifactCache) -> list[CacheEntry]:
    """Every entry, most recently used first."""
    entries = []
    for folder in sorted((cache.root / "artifacts").glob("*/*")):
        if not folder.is_dir():
            continue
        record = cache.record(folder.name)
        marker = folder / ARTIFACT_FILE
        last_used = (marker if marker.is_file() else folder).stat().st_mtime
        if isinstance(record, str):
            label, file_format, usable = f"unusable: {record}", None, False
        else:
            label, file_format, usable = record.label, record.format, True
        entries.append(CacheEntry(folder.name, folder, label, file_format, _folder_bytes(folder), last_used, usable))
    return sorted(entries, key=lambda entry: -entry.last_used)


def prune(cache: ArtifactCache, older_than_days: float | None = None) -> tuple[list[CacheEntry], int]:
    """Remove unusable entries, and with ``older_than_days`` those unused for that long; also leftovers of
    conversions that were killed. Returns the entries removed and the bytes freed in all."""
    cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
    removed, freed = [], 0
    for entry in cache_entries(cache):
        if entry.usable and (cutoff is None or entry.last_used >= cutoff):
            continue
        try:
            with cache.lock(entry.key, timeout=0):
                shutil.rmtree(entry.folder, ignore_errors=True)
                cache.log_path(entry.key).unlink(missing_ok=True)
        except Timeout:
            continue  # in use by a conversion right now
        removed.append(entry)
        freed += entry.size_bytes
    for leftover in sorted((cache.root / "tmp").glob("*")):
        if leftover.is_dir() and time.time() - leftover.stat().st_mtime > LEFTOVER_SECONDS:
            freed += _folder_bytes(leftover)
            shutil.rmtree(leftover, ignore_errors=True)
    return removed, freed
