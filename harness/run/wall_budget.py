"""A run's wall time split by what it was spent on, from the run's timeline (harness/run/timeline.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from harness.results.store import RunStore
from harness.run.timeline import read_timeline

# In the order a repetition goes through them; the shell's own split first, the rest of its process after.
BUDGET_ROWS = {
    "convert": "conversion",
    "peak": "peak measurement",
    "prepare": "starting fork servers (imports, once per runtime)",
    "startup": "shell start, imports and exit",
    "load": "model load",
    "warmup": "first inference and warm-up",
    "timed": "timed inference",
    "cooldown": "cooldown waits",
    "state": "device-state reads",
    "transfer": "pushes and pulls",
    "write": "writing results",
    "profile": "operator profiles (their own processes)",
}
MEASUREMENT_ROWS = ("prepare", "startup", "load", "warmup", "timed", "cooldown", "state", "transfer", "write",
                    "profile")
UNACCOUNTED = "other (planning, inputs, the harness itself)"


@dataclass(frozen=True)
class Budget:
    wall_seconds: float
    seconds: dict[str, float]  # BUDGET_ROWS key -> seconds
    repetitions: int

    @property
    def measurement_seconds(self) -> float:
        return sum(self.seconds.get(row, 0.0) for row in MEASUREMENT_ROWS)

    @property
    def timed_share(self) -> float | None:
        """The part of the measurement phase spent inside timed inference."""
        total = self.measurement_seconds
        return self.seconds.get("timed", 0.0) / total if total else None


def _split_spans(spans: list[dict]) -> dict[str, dict[str, float]]:
    """Seconds per runtime per budget row; a shell span is split by its own account of its time."""
    split: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    transfers: dict[tuple, float] = defaultdict(float)
    for span in spans:
        if span["phase"] == "transfer":
            transfers[(span.get("cell_id"), span.get("repetition"))] += span["seconds"]
    for span in spans:
        row = split[span.get("runtime") or "all"]
        if span["phase"] != "shell":
            row[span["phase"]] += span["seconds"]
            continue
        inside = span.get("inside", {})
        known = sum(inside.values()) + transfers[(span.get("cell_id"), span.get("repetition"))]
        row["load"] += inside.get("load", 0.0)
        row["warmup"] += inside.get("first_inference", 0.0) + inside.get("warmup", 0.0)
        row["timed"] += inside.get("timed", 0.0)
        row["startup"] += max(span["seconds"] - known, 0.0)
        row["repetitions"] += 1
    return split


def _run_wall_seconds(folder: Path, spans: list[dict]) -> float:
    """run.json's start to finish; a resumed run's parts are not contiguous, so there the spans' extent."""
    metadata = RunStore.open(folder).metadata()
    if metadata.get("finished_at") and not metadata.get("resumed_at"):
        started, finished = (datetime.fromisoformat(metadata[key]) for key in ("started_at", "finished_at"))
        return (finished - started).total_seconds()
    if not spans:
        return 0.0
    return max(s["started"] + s["seconds"] for s in spans) - min(s["started"] for s in spans)


def wall_budget(folder: Path) -> tuple[Budget, dict[str, Budget]]:
    """The whole run's budget, and one per runtime (whose wall time is the sum of its spans). Conversions run in
    parallel: the run's row is the time they covered, a runtime's row the sum of its conversions' times."""
    spans = read_timeline(folder)
    split = _split_spans(spans)
    per_runtime = {}
    for name, row in sorted(split.items()):
        seconds = {key: row[key] for key in BUDGET_ROWS if row.get(key)}
        per_runtime[name] = Budget(sum(seconds.values()), seconds, int(row.get("repetitions", 0)))
    total: dict[str, float] = defaultdict(float)
    for budget in per_runtime.values():
        for key, value in budget.seconds.items():
            total[key] += value
    conversions = [s for s in spans if s["phase"] == "convert"]
    if conversions:
        total["convert"] = covered_seconds(conversions)  # parallel conversions: the run waited once for them
    run = Budget(_run_wall_seconds(folder, spans), dict(total), sum(b.repetitions for b in per_runtime.values()))
    return run, {name: budget for name, budget in per_runtime.items() if name != "all"}


def covered_seconds(spans: list[dict]) -> float:
    """The time covered by at least one of ``spans``: overlapping spans count once."""
    covered, reached = 0.0, float("-inf")
    for start, end in sorted((s["started"], s["started"] + s["seconds"]) for s in spans):
        if end > reached:
            covered += end - max(start, reached)
            reached = end
    return covered


def budget_table(budget: Budget, with_unaccounted: bool = False) -> list[tuple[str, float, float]]:
    """(what, seconds, share of the wall time) rows, in BUDGET_ROWS order."""
    rows = [(label, budget.seconds[key]) for key, label in BUDGET_ROWS.items() if key in budget.seconds]
    if with_unaccounted:
        rows.append((UNACCOUNTED, max(budget.wall_seconds - sum(budget.seconds.values()), 0.0)))
    wall = budget.wall_seconds or 1.0
    return [(label, seconds, seconds / wall) for label, seconds in rows]
