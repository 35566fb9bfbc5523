"""What a cell's repetitions measured: latency and memory, with every statistic from harness.stats."""

from __future__ import annotations

from dataclasses import dataclass

from harness.config.matrix import Measurement
from harness.protocol import Result
from harness.run.outcome import CellOutcome, iterations
from harness.stats import NS_PER_MS, latency_summary, median, pooled_summary, relative_error, relative_spread

MEMORY_COLUMNS = ("rss_before_load_bytes", "rss_after_load_bytes", "rss_peak_sampled_bytes", "peak_rss_bytes",
                  "pss_bytes", "pss_peak_sampled_bytes")


@dataclass(frozen=True)
class Latency:
    shell: str
    runtime_version: str | None
    delegate_applied: str | None
    app_package: str | None  # app mode: which APK ran (shell.package and shell.version_code)
    app_version_code: int | None
    latency_samples_ns: list[int]
    samples_per_repetition: list[int]
    iterations: int
    load_samples_ns: list[int]
    first_inference_samples_ns: list[int]
    warmup_samples_ns: list[int]
    statistics: dict[str, float | None]  # the latency_* columns
    raw_samples: bool | None  # False: the tool printed summaries only
    model_load_ms: float | None
    first_inference_ms: float | None
    repetition_medians_ms: list[float]
    repetition_spread: float | None  # (max - min) / median of the repetition medians, descriptive
    repetition_relative_error: float | None  # what the extension rule and `unstable` judge (stats.relative_error)
    unstable: bool | None

    @property
    def p50_ms(self) -> float | None:
        return self.statistics.get("latency_p50_ms")

    def columns(self) -> dict:
        columns = {name: value for name, value in self.__dict__.items() if name != "statistics"}
        return {**columns, **self.statistics}


@dataclass(frozen=True)
class MemoryPeaks:
    """The worst repetition's figure for each memory column, in bytes."""

    rss_before_load_bytes: int | None
    rss_after_load_bytes: int | None
    rss_peak_sampled_bytes: int | None
    peak_rss_bytes: int | None
    pss_bytes: int | None
    pss_peak_sampled_bytes: int | None


def _worst(results: list[Result], name: str) -> int | None:
    values = [getattr(r.memory, name) for r in results if getattr(r.memory, name) is not None]
    return max(values) if values else None


def memory_peaks(results: list[Result]) -> MemoryPeaks:
    return MemoryPeaks(*(_worst(results, name) for name in MEMORY_COLUMNS))


def _ms(value_ns: float | None) -> float | None:
    return value_ns / NS_PER_MS if value_ns is not None else None


def latency(outcome: CellOutcome, measurement: Measurement) -> Latency:
    results = outcome.results
    samples = [s for r in results for s in r.timing.samples_ns]
    counts = [iterations(r) for r in results]
    summaries = [r.timing.summary_ns for r in results if r.ok and r.timing.summary_ns and not r.timing.samples_ns]
    loads = [r.timing.load_ns for r in results if r.timing.load_ns is not None]
    firsts = [r.timing.first_inference_ns for r in results if r.timing.first_inference_ns is not None]
    statistics = (latency_summary(samples, [len(r.timing.samples_ns) for r in results]) if samples or not summaries
                  else pooled_summary(summaries))
    medians = outcome.repetition_medians_ms()
    error = relative_error(medians)
    last = results[-1]
    return Latency(
        shell=f"{last.shell.get('name')} {last.shell.get('version')}", runtime_version=last.runtime.version,
        delegate_applied=last.delegate_applied, app_package=last.shell.get("package"),
        app_version_code=last.shell.get("version_code"), latency_samples_ns=samples, samples_per_repetition=counts,
        iterations=sum(counts), load_samples_ns=loads, first_inference_samples_ns=firsts,
        warmup_samples_ns=[s for r in results for s in r.timing.warmup_samples_ns], statistics=statistics,
        raw_samples=bool(samples) if samples or summaries else None, model_load_ms=_ms(median(loads)),
        first_inference_ms=_ms(median(firsts)), repetition_medians_ms=medians, repetition_spread=relative_spread(medians),
        repetition_relative_error=error,
        unstable=error > measurement.max_relative_error if error is not None and outcome.status == "ok" else None)
