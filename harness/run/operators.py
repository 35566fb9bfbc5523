"""A profiled cell's operator rows: the profiler's raw times, grouped by operator, summarised by stats.py."""

from __future__ import annotations

from harness.protocol import OperatorProfile, OperatorTiming
from harness.results.operators import IDENTITY
from harness.stats import per_inference_total, share_of, time_per_inference_ms


def _grouped(operators: tuple[OperatorTiming, ...]) -> dict[tuple[str, str, str], list[OperatorTiming]]:
    """Operators with the same name, type and place, in the order they first ran."""
    groups: dict[tuple[str, str, str], list[OperatorTiming]] = {}
    for operator in operators:
        groups.setdefault((operator.name, operator.type, operator.ran_on), []).append(operator)
    return groups


def _calls(timings: list[OperatorTiming]) -> int | None:
    counts = [t.calls for t in timings if t.calls is not None]
    return sum(counts) if len(counts) == len(timings) else None


def _mean_ns(timings: list[OperatorTiming]) -> float | None:
    means = [t.mean_ns for t in timings if t.mean_ns is not None]
    return sum(means) if len(means) == len(timings) else None


def operator_rows(profile: OperatorProfile, cell_columns: dict) -> list[dict]:
    """One row per operator, with the cell's identifying columns; share is of the mean profiled inference."""
    identity = {name: cell_columns.get(name) for name in IDENTITY}
    _, inference_mean = time_per_inference_ms(profile.inference_ns, profile.inference_mean_ns)
    rows = []
    for (name, kind, ran_on), timings in _grouped(profile.operators).items():
        samples = per_inference_total([t.samples_ns for t in timings if t.samples_ns])
        median_ms, mean_ms = time_per_inference_ms(samples, None if samples else _mean_ns(timings))
        rows.append({**identity, "profiler": profile.profiler, "operator": name, "operator_type": kind,
                     "ran_on": ran_on, "calls": _calls(timings), "median_ms": median_ms, "mean_ms": mean_ms,
                     "share": share_of(mean_ms, inference_mean), "profiled_inferences": profile.inferences,
                     "inference_mean_ms": inference_mean})
    return rows
