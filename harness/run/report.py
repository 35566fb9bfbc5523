"""A cell's report: built once from its outcome, in typed parts, and flattened to columns only when written.

Each part's field names are its results columns (`harness.results.schema`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from harness.config.matrix import Measurement, ParityThresholds
from harness.convert.cache import Artifact
from harness.convert.jobs import DelegateCheck
from harness.parity import judge
from harness.results.schema import WARNING_SEPARATOR
from harness.run.conditions import Conditions, conditions
from harness.run.measured import Latency, MemoryPeaks, latency, memory_peaks
from harness.run.outcome import CellOutcome, now
from harness.runtime_size import RuntimeBinary


@dataclass(frozen=True)
class Identity:
    run_id: str
    cell_id: str
    device: str
    platform: str
    device_model: str | None
    model: str
    model_source: str
    framework: str
    runtime: str
    format: str | None
    quantization: str
    delegate: str
    threads: int
    execution_mode: str | None


@dataclass(frozen=True)
class Ending:
    status: str
    stage: str | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime


@dataclass(frozen=True)
class ArtifactFacts:
    converter: str
    conversion_notes: str | None
    conversion_seconds: float
    from_cache: bool
    model_file_bytes: int
    model_sha256: str
    model_flops: int | None
    flops_counter: str | None
    operator_list_file: str | None
    format_version: str | None = None
    min_runtime_version: str | None = None
    operators: list[str] | None = None
    operator_nodes: int | None = None
    custom_operators: list[str] | None = None
    metadata_embedded: bool | None = None


@dataclass(frozen=True)
class DelegationFacts:
    delegated_nodes: int | None
    delegation_total_nodes: int | None
    delegated_share: float | None
    fallback_operators: list[str]


@dataclass(frozen=True)
class ParityFacts:
    figures: dict[str, float | None]  # the parity_* columns
    verdict: str | None  # why it is flagged, or None

    def columns(self) -> dict:
        return {**self.figures, "parity_flagged": self.verdict is not None}


@dataclass(frozen=True)
class Efficiency:
    peak_gflops_per_s: float | None
    achieved_gflops_per_s: float | None
    percent_of_peak: float | None


@dataclass(frozen=True)
class CellReport:
    identity: Identity
    ending: Ending
    artifact: ArtifactFacts | None
    delegation: DelegationFacts | None
    parity: ParityFacts | None
    latency: Latency | None
    memory: MemoryPeaks | None
    conditions: Conditions
    efficiency: Efficiency
    measurement: Measurement
    warnings: tuple[str, ...]
    runtime_binary: RuntimeBinary | None = None

    def columns(self) -> dict:
        """The results row: every part flattened."""
        row = {**asdict(self.identity), **asdict(self.ending)}
        for part in (self.artifact, self.delegation, self.memory):
            row.update(asdict(part) if part else {})
        row.update(self.parity.columns() if self.parity else {})
        row.update(self.latency.columns() if self.latency else {})
        row.update(self.conditions.columns())
        row.update(asdict(self.efficiency))
        row.update(self.runtime_binary.columns() if self.runtime_binary else {})
        row.update({name: getattr(self.measurement, name) for name in SETTINGS_COLUMNS})
        row["warnings"] = WARNING_SEPARATOR.join(self.warnings) or None
        return row


SETTINGS_COLUMNS = ("warmup_runs", "warmup_seconds", "min_iterations", "min_seconds", "max_seconds", "repetitions",
                    "max_repetitions", "max_relative_error", "order", "seed")


def _identity(outcome: CellOutcome, run_id: str, platform: str, facts: dict) -> Identity:
    cell, conversion = outcome.planned.cell, outcome.planned.conversion
    return Identity(run_id, cell.cell_id, cell.device, platform, facts.get("device_model"), cell.model.name,
                    cell.model.source, cell.model.framework, cell.runtime, conversion.format if conversion else None,
                    cell.quantization, cell.delegate, cell.threads, cell.execution_mode or facts.get("execution_mode"))


def _artifact_facts(artifact: Artifact) -> ArtifactFacts:
    facts = ArtifactFacts(artifact.converter, "; ".join(artifact.notes) or None, artifact.conversion_seconds,
                          artifact.from_cache, artifact.size_bytes, artifact.sha256, artifact.flops,
                          artifact.flops_counter, str(artifact.operator_list) if artifact.operator_list else None)
    inspection = artifact.inspection
    if inspection is None:
        return facts
    return ArtifactFacts(**{
        **asdict(facts), "format_version": inspection.format_version,
        "min_runtime_version": inspection.min_runtime_version,
        "operators": [f"{op.name} v{op.version}" if op.version else op.name for op in inspection.operators],
        "operator_nodes": sum(op.count for op in inspection.operators),
        "custom_operators": list(inspection.custom_operators), "metadata_embedded": inspection.metadata is not None})


def _delegation_facts(check: DelegateCheck | None) -> DelegationFacts | None:
    if check is None or check.delegation is None:
        return None
    d = check.delegation
    return DelegationFacts(d.delegated_nodes, d.total_nodes, d.share, list(d.fallback_operators))


def _parity_facts(check: DelegateCheck | None, quantization: str, thresholds: ParityThresholds) -> ParityFacts | None:
    if check is None or check.parity is None or check.parity.error is not None:
        return None
    figures = check.parity.figures()
    return ParityFacts(figures, judge(figures, quantization, thresholds.min_cosine, thresholds.min_top1))


# The peak is a float32 matrix product's; 8-bit kernels run at another peak, which is not measured here.
EIGHT_BIT = ("dynamic_int8", "int8", "int8_per_tensor")


def _efficiency(outcome: CellOutcome, p50_ms: float | None) -> Efficiency:
    """Achieved FLOP rate, and its share of the fp32 peak: empty for 8-bit cells, and never above 100%."""
    flops = outcome.artifact.flops if outcome.artifact else None
    achieved = flops / (p50_ms / 1e3) / 1e9 if flops and p50_ms else None
    peak = outcome.peak_gflops
    comparable = achieved and peak and outcome.planned.cell.quantization not in EIGHT_BIT and achieved <= peak
    return Efficiency(peak, achieved, 100 * achieved / peak if comparable else None)  # type: ignore[operator]


def build_report(outcome: CellOutcome, run_id: str, platform: str, device_facts: dict, measurement: Measurement,
                 parity: ParityThresholds = ParityThresholds(), runtime_binary: RuntimeBinary | None = None) -> CellReport:
    from harness.run.warnings import cell_warnings

    artifact = outcome.artifact
    check = artifact.verification(outcome.planned.cell.delegate) if artifact else None
    error = outcome.error if outcome.status != "skipped" else outcome.planned.skip_reason
    measured = latency(outcome, measurement) if outcome.results else None
    report = CellReport(
        identity=_identity(outcome, run_id, platform, device_facts),
        ending=Ending(outcome.status, outcome.stage, error, outcome.started_at, now()),
        artifact=_artifact_facts(artifact) if artifact else None,
        delegation=_delegation_facts(check),
        parity=_parity_facts(check, outcome.planned.cell.quantization, parity),
        latency=measured, memory=memory_peaks(outcome.results) if outcome.results else None,
        conditions=conditions(outcome), efficiency=_efficiency(outcome, measured.p50_ms if measured else None),
        measurement=measurement, warnings=(), runtime_binary=runtime_binary)
    return replace(report, warnings=cell_warnings(outcome, report, check, measurement))

