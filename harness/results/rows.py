"""Turn a cell and what happened to it into one results row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from harness.config.matrix import Measurement, ParityThresholds
from harness.convert.cache import Artifact
from harness.formats import delegation_from_json
from harness.parity import judge
from harness.cooldown import CooldownRecord
from harness.devices.state import DeviceState, throttle_warning
from harness.plan import PlannedCell
from harness.protocol import Result
from harness.stats import NS_PER_MS, PARITY_COLUMNS, latency_summary, median, pooled_summary, relative_spread


@dataclass
class CellOutcome:
    """Everything known about a cell, filled in as its repetitions run."""

    planned: PlannedCell
    status: str
    stage: str | None = None
    error: str | None = None
    artifact: Artifact | None = None
    results: list[Result] = field(default_factory=list)
    started_at: datetime | None = None
    cooldowns: list[CooldownRecord] = field(default_factory=list)
    state_before: DeviceState | None = None
    state_after: DeviceState | None = None
    other_busy_seconds: float = 0.0  # CPU time used by anything but the shells, over this cell's repetitions
    total_cpu_seconds: float = 0.0
    busy_measured: bool = True
    cpu_affinity: tuple[int, ...] | None = None
    peak_gflops: float | None = None

    device_notes: list[str] = field(default_factory=list)  # retries and other things the device link did

    def repetition_medians_ms(self) -> list[float]:
        medians = (_repetition_median_ns(r) for r in self.results if r.ok)
        return [m / NS_PER_MS for m in medians if m]


def _repetition_median_ns(result: Result) -> float | None:
    if result.timing.samples_ns:
        return median(result.timing.samples_ns)
    return (result.timing.summary_ns or {}).get("median")


def now() -> datetime:
    return datetime.now(timezone.utc)


def _identity(outcome: CellOutcome, run_id: str, platform: str, device_facts: dict) -> dict:
    cell, conversion = outcome.planned.cell, outcome.planned.conversion
    return {
        "run_id": run_id, "cell_id": cell.cell_id, "device": cell.device, "platform": platform,
        "device_model": device_facts.get("device_model"), "model": cell.model.name,
        "model_source": cell.model.source, "framework": cell.model.framework, "runtime": cell.runtime,
        "format": conversion.format if conversion else None, "quantization": cell.quantization,
        "delegate": cell.delegate, "threads": cell.threads,
    }


def _artifact_columns(artifact: Artifact | None) -> dict:
    if artifact is None:
        return {}
    columns = {"converter": artifact.converter, "conversion_notes": "; ".join(artifact.notes) or None,
               "conversion_seconds": artifact.conversion_seconds, "from_cache": artifact.from_cache,
               "model_file_bytes": artifact.size_bytes, "model_sha256": artifact.sha256,
               "model_flops": artifact.flops, "flops_counter": artifact.flops_counter,
               "operator_list_file": str(artifact.operator_list) if artifact.operator_list else None}
    inspection = artifact.inspection
    if inspection is not None:
        columns.update(
            format_version=inspection.format_version, min_runtime_version=inspection.min_runtime_version,
            operators=[f"{op.name} v{op.version}" if op.version else op.name for op in inspection.operators],
            operator_nodes=sum(op.count for op in inspection.operators),
            custom_operators=list(inspection.custom_operators), metadata_embedded=inspection.metadata is not None)
    return columns


def _check_columns(outcome: CellOutcome, parity: ParityThresholds) -> dict:
    """Delegation and parity for the cell's delegate, as the conversion step measured them on the host."""
    if outcome.artifact is None:
        return {}
    check = outcome.artifact.check(outcome.planned.cell.delegate)
    columns = {}
    if "delegation" in check:
        delegation = delegation_from_json(check["delegation"])
        columns.update(delegated_nodes=delegation.delegated_nodes, delegation_total_nodes=delegation.total_nodes,
                       delegated_share=delegation.share, fallback_operators=list(delegation.fallback_operators))
    measured = {name: value for name, value in check.get("parity", {}).items() if name in PARITY_COLUMNS}
    if measured:
        columns.update(measured)
        columns["parity_flagged"] = judge(measured, outcome.planned.cell.quantization,
                                          parity.min_cosine, parity.min_top1) is not None
    return columns


def _check_warnings(outcome: CellOutcome, parity: ParityThresholds) -> list[str]:
    if outcome.artifact is None or outcome.status == "skipped":
        return []
    cell, artifact = outcome.planned.cell, outcome.artifact
    check, notes = artifact.check(cell.delegate), []
    if artifact.checks and not check:
        notes.append(f"delegation and parity not measured: the host cannot apply {cell.delegate}")
    if "error" in check.get("parity", {}):
        notes.append(f"parity not measured: {check['parity']['error']}")
    elif check.get("parity"):
        notes.append(judge(check["parity"], cell.quantization, parity.min_cosine, parity.min_top1))
    fallback = check.get("delegation", {}).get("fallback_operators")
    if cell.delegate != "none" and fallback:
        notes.append(f"outside {cell.delegate}: {', '.join(fallback[:8])}{' ...' if len(fallback) > 8 else ''}")
    if artifact.inspection:
        notes.extend(artifact.inspection.notes if artifact.inspection.custom_operators else ())
    return [n for n in notes if n]


def _worst(results: list[Result], name: str) -> int | None:
    values = [getattr(r.memory, name) for r in results if getattr(r.memory, name) is not None]
    return max(values) if values else None


def _iterations(result: Result) -> int:
    """Timed iterations: samples, or the count a tool's summary gives."""
    if result.timing.samples_ns or not result.timing.summary_ns:
        return len(result.timing.samples_ns)
    return int(result.timing.summary_ns.get("count", 0))


def _measurement_columns(outcome: CellOutcome) -> dict:
    results = outcome.results
    if not results:
        return {}
    samples = [s for r in results for s in r.timing.samples_ns]
    iterations = [_iterations(r) for r in results]
    summaries = [r.timing.summary_ns for r in results if r.ok and r.timing.summary_ns and not r.timing.samples_ns]
    loads = [r.timing.load_ns for r in results if r.timing.load_ns is not None]
    firsts = [r.timing.first_inference_ns for r in results if r.timing.first_inference_ns is not None]
    load_ms, first_ms = median(loads), median(firsts)
    medians = outcome.repetition_medians_ms()
    last = results[-1]
    return {
        "shell": f"{last.shell.get('name')} {last.shell.get('version')}",
        "runtime_version": last.runtime_version, "delegate_applied": last.delegate_applied,
        "latency_samples_ns": samples, "samples_per_repetition": iterations, "iterations": sum(iterations), "load_samples_ns": loads, "first_inference_samples_ns": firsts,
        **(latency_summary(samples, [len(r.timing.samples_ns) for r in results]) if samples or not summaries
           else pooled_summary(summaries)),
        "raw_samples": bool(samples) if samples or summaries else None,
        "model_load_ms": load_ms / NS_PER_MS if load_ms is not None else None,
        "first_inference_ms": first_ms / NS_PER_MS if first_ms is not None else None,
        "repetition_medians_ms": medians, "repetition_spread": relative_spread(medians),
        **{name: _worst(results, name) for name in
           ("rss_before_load_bytes", "rss_after_load_bytes", "rss_peak_sampled_bytes", "peak_rss_bytes", "pss_bytes",
            "pss_peak_sampled_bytes")},
    }


def _state_columns(outcome: CellOutcome) -> dict:
    before, after = outcome.state_before, outcome.state_after
    columns = {"cpu_affinity": list(outcome.cpu_affinity) if outcome.cpu_affinity else None,
               "cooldown_wait_s": sum(c.waited_seconds for c in outcome.cooldowns) if outcome.cooldowns else None,
               "cooldown_timed_out": any(c.timed_out for c in outcome.cooldowns) if outcome.cooldowns else None,
               "other_cpu_busy_fraction": _other_busy(outcome)}
    if before is not None:
        columns.update(cpu_governor=before.governor, cpu_governors=before.governors, cpu_freq_mhz_before=before.cpu_freq_mhz,
                       load_avg_1m_before=before.load_avg_1m, temperature_c_before=before.temperature_c,
                       battery_level_pct=before.battery_level_pct, battery_temperature_c=before.battery_temperature_c,
                       battery_charging=before.battery_charging, thermal_status=before.thermal_status,
                       screen_on=before.screen_on)
    if after is not None:
        columns.update(cpu_freq_mhz_after=after.cpu_freq_mhz, load_avg_1m_after=after.load_avg_1m,
                       temperature_c_after=after.temperature_c)
    return columns


def _other_busy(outcome: CellOutcome) -> float | None:
    if not outcome.busy_measured or outcome.total_cpu_seconds <= 0:
        return None
    return min(1.0, max(0.0, outcome.other_busy_seconds / outcome.total_cpu_seconds))


def _efficiency_columns(outcome: CellOutcome, p50_ms: float | None) -> dict:
    flops = outcome.artifact.flops if outcome.artifact else None
    achieved = flops / (p50_ms / 1e3) / 1e9 if flops and p50_ms else None
    peak = outcome.peak_gflops
    return {"peak_gflops_per_s": peak, "achieved_gflops_per_s": achieved,
            "percent_of_peak": 100 * achieved / peak if achieved and peak else None}


def _warnings(outcome: CellOutcome, row: dict, measurement: Measurement, parity: ParityThresholds) -> str | None:
    notes = _check_warnings(outcome, parity) + outcome.device_notes
    if row.get("raw_samples") is False:
        notes.append("raw samples unavailable: the tool printed summaries only, so there are no percentiles "
                     "or confidence interval" + ("" if len(outcome.results) == 1 else " and the mean is pooled over runs"))
    short = [n for r in outcome.results if r.ok and 0 < (n := _iterations(r)) < measurement.min_iterations]
    if short:
        notes.append(f"max_seconds ({measurement.max_seconds:g}) stopped {len(short)} repetition(s) before "
                     f"min_iterations ({measurement.min_iterations}): {', '.join(map(str, short))} sample(s)")
    if row.get("unstable"):
        notes.append(f"unstable: repetition medians spread {row['repetition_spread']:.1%} after "
                     f"{len(outcome.results)} repetitions (max_spread {measurement.max_spread:.0%})")
    busy = row.get("other_cpu_busy_fraction")
    if busy is not None and busy > measurement.busy_warning:
        notes.append(f"busy: other work used {busy:.0%} of the CPUs during the cell")
    if outcome.state_before and outcome.state_after:
        notes.append(throttle_warning(outcome.state_before, outcome.state_after, measurement.cooldown.max_temperature_c))
    if row.get("cooldown_timed_out"):
        notes.append(f"cooldown timed out after {row['cooldown_wait_s']:.0f}s; ran anyway")
    return "; ".join(n for n in notes if n) or None


def _settings_columns(measurement: Measurement) -> dict:
    names = ("warmup_runs", "min_iterations", "min_seconds", "max_seconds", "repetitions", "max_repetitions",
             "max_spread", "order", "seed")
    return {name: getattr(measurement, name) for name in names}


def build_row(outcome: CellOutcome, run_id: str, platform: str, device_facts: dict, measurement: Measurement,
              parity: ParityThresholds = ParityThresholds()) -> dict:
    row = {
        **_identity(outcome, run_id, platform, device_facts),
        "execution_mode": device_facts.get("execution_mode"),
        "status": outcome.status, "stage": outcome.stage,
        "error": outcome.error if outcome.status != "skipped" else outcome.planned.skip_reason,
        "started_at": outcome.started_at, "finished_at": now(),
        **_artifact_columns(outcome.artifact),
        **_check_columns(outcome, parity),
        **_measurement_columns(outcome),
        **_state_columns(outcome),
        **_settings_columns(measurement),
    }
    spread = row.get("repetition_spread")
    row["unstable"] = spread > measurement.max_spread if spread is not None and outcome.status == "ok" else None
    row.update(_efficiency_columns(outcome, row.get("latency_p50_ms")))
    row["warnings"] = _warnings(outcome, row, measurement, parity)
    return row
