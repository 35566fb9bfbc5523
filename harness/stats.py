"""Statistics over raw samples. The only place in the harness that computes them.

Shells report raw per-iteration samples in nanoseconds, and converted models' raw outputs;
everything below is derived here, so every device and runtime is summarised the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

NS_PER_MS = 1e6
TRIM_FRACTION = 0.10  # cut from each end for the trimmed mean
CONFIDENCE = 0.95
# An upper percentile is reported only with at least this many samples above it: p99 needs 1000 samples.
MIN_TAIL_SAMPLES = 10

LATENCY_COLUMNS = (
    "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_mean_ms", "latency_std_ms",
    "latency_min_ms", "latency_max_ms", "latency_trimmed_mean_ms", "latency_mad_ms",
    "latency_p50_ci_low_ms", "latency_p50_ci_high_ms", "latency_cv",
)


def latency_summary(samples_ns: Sequence[int], group_sizes: Sequence[int] = ()) -> dict[str, float | None]:
    """Percentiles and mean with each repetition weighing the same, sample std, min, max, 10%-trimmed mean and
    MAD (unscaled) of all samples, and a 95% interval of the median from the repetition medians, in
    milliseconds; CV (std / mean) is unitless.

    ``group_sizes`` splits the samples into repetitions (consecutive runs of that many samples, each a
    separate process). p90 and p99 are left out when fewer than MIN_TAIL_SAMPLES samples lie above them;
    the interval, when fewer than two repetitions give it (see median_interval)."""
    if len(samples_ns) == 0:
        return dict.fromkeys(LATENCY_COLUMNS)
    ms = np.asarray(samples_ns, dtype=np.float64) / NS_PER_MS
    sizes = [size for size in group_sizes if size] if sum(group_sizes) == ms.size else [ms.size]
    groups = np.split(ms, np.cumsum(sizes)[:-1])
    weights = np.concatenate([np.full(g.size, 1 / g.size) for g in groups])
    p50, p90, p99 = weighted_percentiles(ms, weights, [50, 90, 99])
    mean = float(np.average(ms, weights=weights))
    std = float(ms.std(ddof=1)) if ms.size > 1 else 0.0
    low, high = median_interval([float(np.median(g)) for g in groups])
    return {
        "latency_p50_ms": p50, "latency_p90_ms": _supported(p90, ms.size, 90),
        "latency_p99_ms": _supported(p99, ms.size, 99), "latency_mean_ms": mean, "latency_std_ms": std,
        "latency_min_ms": float(ms.min()), "latency_max_ms": float(ms.max()),
        "latency_trimmed_mean_ms": float(scipy_stats.trim_mean(ms, TRIM_FRACTION)),
        "latency_mad_ms": float(scipy_stats.median_abs_deviation(ms)),
        "latency_p50_ci_low_ms": low, "latency_p50_ci_high_ms": high,
        "latency_cv": std / mean if mean > 0 else None,
    }


def _supported(value: float, count: int, percentile: float) -> float | None:
    return value if count * (100 - percentile) / 100 >= MIN_TAIL_SAMPLES else None


def weighted_percentiles(values: np.ndarray, weights: np.ndarray, percentiles: Sequence[float]) -> list[float]:
    """Percentiles with linear interpolation, each value counting by its weight. With equal weights this is
    numpy's default (the k-th of n sorted values sits at k / (n - 1)); in general a value sits at the middle
    of its share of the cumulative weight, the first and last at 0 and 1."""
    order = np.argsort(values, kind="stable")
    ordered, share = values[order], weights[order] / weights.sum()
    if ordered.size == 1:
        return [float(ordered[0])] * len(percentiles)
    centre = np.cumsum(share) - share / 2
    positions = (centre - centre[0]) / (centre[-1] - centre[0])
    return [float(np.interp(p / 100, positions, ordered)) for p in percentiles]


def pooled_summary(summaries: Sequence[dict[str, float]]) -> dict[str, float | None]:
    """Latency columns from tool summaries (nanoseconds) when no per-iteration samples exist.

    Mean is count-weighted; std pools within- and between-run variance; min and max are the extremes.
    The median is kept only from a single run: medians of separate runs do not combine into one."""
    columns: dict[str, float | None] = dict.fromkeys(LATENCY_COLUMNS)
    if not summaries:
        return columns
    counts = np.array([s.get("count", 1.0) for s in summaries])
    means = np.array([s["mean"] for s in summaries]) / NS_PER_MS
    mean = float(np.average(means, weights=counts))
    columns["latency_mean_ms"] = mean
    if all("std" in s for s in summaries) and counts.sum() > 1:
        stds = np.array([s["std"] for s in summaries]) / NS_PER_MS
        within = ((counts - 1) * stds ** 2).sum() + (counts * (means - mean) ** 2).sum()
        std = float(np.sqrt(within / (counts.sum() - 1)))
        columns["latency_std_ms"] = std
        columns["latency_cv"] = std / mean if mean > 0 else None
    if all("min" in s for s in summaries):
        columns["latency_min_ms"] = min(s["min"] for s in summaries) / NS_PER_MS
    if all("max" in s for s in summaries):
        columns["latency_max_ms"] = max(s["max"] for s in summaries) / NS_PER_MS
    if len(summaries) == 1 and "median" in summaries[0]:
        columns["latency_p50_ms"] = summaries[0]["median"] / NS_PER_MS
    return columns


def _log_mean_and_error(values: Sequence[float]) -> tuple[float, float, int]:
    """Mean of the logs, its standard error, and the count: latency is multiplicative, so it is judged in logs."""
    logs = np.log(np.asarray(values, dtype=np.float64))
    error = float(logs.std(ddof=1) / np.sqrt(logs.size)) if logs.size > 1 else float("nan")
    return float(logs.mean()), error, int(logs.size)


def median_interval(repetition_medians: Sequence[float]) -> tuple[float | None, float | None]:
    """95% interval of the cell's median from its repetitions' medians: Student's t on their logs.

    Each repetition is a separate process, and a fresh process shifts the median by a few percent
    (memory layout, caches, clocks), so samples from one process are not independent draws of the
    cell's latency: the repetitions are the observations, each counting once whatever its sample count.
    With fewer than two there is no spread between processes to go by, and no interval (None, None)."""
    medians = [m for m in repetition_medians if m > 0]
    if len(medians) < 2:
        return None, None
    if min(medians) == max(medians):  # no spread: the interval is that value, not exp(log(value)) a rounding off
        return medians[0], medians[0]
    centre, error, count = _log_mean_and_error(medians)
    margin = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, count - 1)) * error
    return float(np.exp(centre - margin)), float(np.exp(centre + margin))


def relative_error(repetition_medians: Sequence[float]) -> float | None:
    """Standard error of the repetition medians' mean log (about a relative error: 0.01 is 1%). None below two."""
    medians = [m for m in repetition_medians if m > 0]
    return _log_mean_and_error(medians)[1] if len(medians) > 1 else None


# How much smaller the medians' true spread may be than the repetitions so far show, when judging whether
# max_repetitions could still bring their standard error under the target. From five medians the estimate is
# 1.5 times the truth or more about one time in 16 (its square is a chi-squared with 4 degrees of freedom).
SPREAD_ALLOWANCE = 1.5


def more_repetitions_needed(medians: Sequence[float], done: int, repetitions: int, max_repetitions: int,
                            max_relative_error: float) -> bool:
    """The extension rule: at least ``repetitions``; then more, up to ``max_repetitions``, while the repetition
    medians' relative_error is above ``max_relative_error`` and extending could still bring it under.

    The error falls as one over the root of the count, so at ``max_repetitions`` it would be about
    ``error * sqrt(done / max_repetitions)``; when even that, with SPREAD_ALLOWANCE, stays above the target, the
    cell stops and is flagged unstable with the interval it has: more processes would almost surely leave it so.
    Unlike their range, the standard error does not grow with their number."""
    if done >= max_repetitions:
        return False
    if done < repetitions:
        return True
    error = relative_error(medians)
    return error is not None and max_relative_error < error <= _reachable_error(done, max_repetitions,
                                                                                max_relative_error)


def extension_out_of_reach(medians: Sequence[float], done: int, max_repetitions: int,
                           max_relative_error: float) -> bool:
    """Whether the extension rule stopped before ``max_repetitions`` because the target was out of reach."""
    error = relative_error(medians)
    return done < max_repetitions and error is not None and \
        error > _reachable_error(done, max_repetitions, max_relative_error)


def _reachable_error(done: int, max_repetitions: int, max_relative_error: float) -> float:
    """The largest error after ``done`` repetitions that ``max_repetitions`` could still bring to the target."""
    return max_relative_error * SPREAD_ALLOWANCE * math.sqrt(max_repetitions / done)


def median(values: Sequence[float]) -> float | None:
    return float(np.median(values)) if len(values) else None


def relative_spread(values: Sequence[float]) -> float | None:
    """Spread of repetition medians: (max - min) / median. None for fewer than two values."""
    if len(values) < 2:
        return None
    middle = float(np.median(values))
    return (max(values) - min(values)) / middle if middle > 0 else None


@dataclass(frozen=True)
class RatioEstimate:
    """NEW / BASE from the repetition medians of two cells: each repetition is a separate process, the unit
    that varies independently, so the test has as many observations as repetitions, not samples."""

    ratio: float  # geometric mean of NEW's repetition medians over BASE's
    low: float | None  # 95% interval of the ratio; None when either side has fewer than two repetitions
    high: float | None
    p_value: float | None  # Welch's t-test on the log medians

    @property
    def judged(self) -> bool:
        return self.p_value is not None


def repetition_ratio(base_medians: Sequence[float], new_medians: Sequence[float]) -> RatioEstimate:
    """Welch's t-test and interval on log repetition medians (latency is multiplicative, so ratios, not
    differences). Fewer than two repetitions on a side leaves the ratio unjudged: no spread, no test."""
    base, new = np.log(np.asarray(base_medians, float)), np.log(np.asarray(new_medians, float))
    ratio = float(np.exp(new.mean() - base.mean()))
    if base.size < 2 or new.size < 2:
        return RatioEstimate(ratio, None, None, None)
    base_var, new_var = base.var(ddof=1) / base.size, new.var(ddof=1) / new.size
    error = float(np.sqrt(base_var + new_var))
    if error == 0:
        return RatioEstimate(ratio, ratio, ratio, 1.0 if ratio == 1 else 0.0)
    freedom = (base_var + new_var) ** 2 / (base_var ** 2 / (base.size - 1) + new_var ** 2 / (new.size - 1))
    test = scipy_stats.ttest_ind(new, base, equal_var=False)
    margin = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, freedom)) * error
    log_ratio = float(new.mean() - base.mean())
    return RatioEstimate(ratio, float(np.exp(log_ratio - margin)), float(np.exp(log_ratio + margin)), float(test.pvalue))


def paired_repetition_ratio(base_medians: Sequence[float], new_medians: Sequence[float]) -> RatioEstimate:
    """The ratio of two cells of one interleaved run, paired by round: repetition i of both ran in round i,
    under the same drift of the machine, so the test is Student's paired t on the log differences, which the
    drift leaves out. Rounds one side did not run are left out. Fewer than two pairs leaves it unjudged."""
    count = min(len(base_medians), len(new_medians))
    base = np.log(np.asarray(base_medians[:count], float))
    differences = np.log(np.asarray(new_medians[:count], float)) - base
    ratio = float(np.exp(differences.mean())) if count else float("nan")
    if count < 2:
        return RatioEstimate(ratio, None, None, None)
    error = float(differences.std(ddof=1) / np.sqrt(count))
    if error == 0:
        return RatioEstimate(ratio, ratio, ratio, 1.0 if ratio == 1 else 0.0)
    margin = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, count - 1)) * error
    p_value = float(scipy_stats.ttest_rel(differences + base, base).pvalue)
    centre = float(differences.mean())
    return RatioEstimate(ratio, float(np.exp(centre - margin)), float(np.exp(centre + margin)), p_value)


PARITY_COLUMNS = ("parity_max_abs_error", "parity_max_rel_error", "parity_cosine", "parity_top1_agreement",
                  "parity_reference_spread")


def output_parity(reference: Sequence[Sequence[np.ndarray]], candidate: Sequence[Sequence[np.ndarray]]) -> dict:
    """How far a converted model's outputs are from the source model's, over the same inputs.

    Per sample, all outputs are flattened into one vector. max_rel_error is the largest absolute
    error over the largest absolute reference value (errors relative to the output's range, so
    values near zero do not explode it). cosine is the worst sample's. top1_agreement is the share
    of samples whose first output has the same argmax, for outputs shaped like class scores.
    reference_spread is how much the reference varies across inputs relative to its size; near zero,
    outputs do not depend on the input and the other figures say little.
    """
    ref = [np.concatenate([np.asarray(o, np.float64).ravel() for o in sample]) for sample in reference]
    got = [np.concatenate([np.asarray(o, np.float64).ravel() for o in sample]) for sample in candidate]
    if [r.shape for r in ref] != [g.shape for g in got]:
        raise ValueError(f"output sizes differ: reference {[r.size for r in ref]}, converted {[g.size for g in got]}")
    errors = np.abs(np.stack(ref) - np.stack(got))
    scale = max(float(np.abs(np.stack(ref)).max()), np.finfo(np.float64).tiny)
    cosines = [float(r @ g / max(np.linalg.norm(r) * np.linalg.norm(g), np.finfo(np.float64).tiny))
               for r, g in zip(ref, got)]
    return {
        "parity_max_abs_error": float(errors.max()),
        "parity_max_rel_error": float(errors.max()) / scale,
        "parity_cosine": min(cosines),
        "parity_top1_agreement": _top1_agreement(reference, candidate),
        "parity_reference_spread": float(np.stack(ref).std(axis=0).mean()) / scale,
    }


def _top1_agreement(reference, candidate) -> float | None:
    first = np.asarray(reference[0][0])
    if first.ndim != 2 or first.shape[0] != 1 or first.shape[1] < 2:
        return None
    same = [int(np.argmax(r[0])) == int(np.argmax(c[0])) for r, c in zip(reference, candidate)]
    return sum(same) / len(same)


def per_inference_total(samples_ns: Sequence[Sequence[int]]) -> list[int]:
    """Several operators' (or calls') times, summed inference by inference."""
    return [int(sum(column)) for column in zip(*samples_ns, strict=True)] if samples_ns else []


def time_per_inference_ms(samples_ns: Sequence[int], mean_ns: float | None = None) -> tuple[float | None, float | None]:
    """(median, mean) in ms over profiled inferences; from a summary-only tool, its mean alone."""
    if len(samples_ns):
        return float(np.median(samples_ns)) / NS_PER_MS, float(np.mean(samples_ns)) / NS_PER_MS
    return None, (mean_ns / NS_PER_MS if mean_ns is not None else None)


def share_of(part_mean: float | None, whole_mean: float | None) -> float | None:
    """A part's share of the whole, by means (shares of means add up; shares of medians do not)."""
    if part_mean is None or not whole_mean:
        return None
    return part_mean / whole_mean
