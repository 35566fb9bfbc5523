"""Where a run's wall time goes: one JSON line per span of work, in the run folder.

`benchmarks/wall_budget.py` reads it back. Spans are recorded by the run loop (conversions, cooldown
waits, device-state reads, shell processes, writing rows) and, inside a shell process, by the shell's own
timing in its result (load, first inference, warm-up, timed inference).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TIMELINE_FILE = "timeline.jsonl"
# A span's phase is one of convert, peak, prepare, cooldown, state, shell, transfer, write or profile (a cell's
# profiled process; wall_budget.py names them); "shell" spans carry the shell's own split of their time in "inside".


class Timeline:
    """Appends spans to ``timeline.jsonl``; safe to call from conversion threads. ``None``: records nothing."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()

    def add(self, phase: str, started: float, seconds: float, **fields) -> None:
        if self.path is None:
            return
        line = json.dumps({"phase": phase, "started": round(started, 3), "seconds": round(seconds, 6), **fields})
        with self._lock:
            try:
                with open(self.path, "a") as handle:
                    handle.write(line + "\n")
            except OSError:
                # A full disk: the timeline is a diagnosis, not a result; it stops here and the rows decide
                # whether the run goes on (writing one stops the run with one line).
                self.path = None

    @contextmanager
    def span(self, phase: str, **fields) -> Iterator[dict]:
        """Time the block; it may add fields to the yielded dict (a shell's split, say) before it ends."""
        started, begin = time.time(), time.monotonic()
        extra: dict = {}
        try:
            yield extra
        finally:
            self.add(phase, started, time.monotonic() - begin, **fields, **extra)


def read_timeline(folder: Path) -> list[dict]:
    path = Path(folder) / TIMELINE_FILE
    if not path.is_file():
        return []
    spans = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            spans.append(json.loads(line))
        except ValueError:
            continue  # the last line of a run killed while writing it
    return spans
