"""Run a matrix on a device: plan, convert, run each cell in fresh shell processes, write one row per cell.

Library code: reports progress through a callback and never prints. Every cell ends as a row
(ok, failed or skipped); a failure in one cell never stops the run. Several devices: run/fleet.py.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness.builds.named import warn_of_unused
from harness.config.matrix import Matrix, Measurement
from harness.convert.cache import Artifact, ArtifactCache
from harness.devices.base import Device
from harness.errors import ConfigError, HarnessError
from harness.names import check_safe_name
from harness.plan import PlannedCell, plan
from harness.plan_checks import check_some_cell_runs
from harness.provenance import run_provenance
from harness.results.store import RunStore
from harness.run.conversions import Converted, convert_all
from harness.run.cooldown import wait_for_cooldown
from harness.run.fleet import DeviceShare, SharedRun, run_shares
from harness.run.outcome import now
from harness.run.progress import PhaseClock, Progress
from harness.run.resume import open_for_resume, recorded_devices
from harness.run.timeline import TIMELINE_FILE, Timeline
from harness.runtimes.inspection import write_matrix_operator_lists

OPERATOR_LISTS_FOLDER = "operator_lists"  # in the run folder: what size-optimized runtime builds take


@dataclass(frozen=True)
class RunSummary:
    run_dir: Path
    counts: dict[str, int]
    counts_by_device: dict[str, dict[str, int]] = field(default_factory=dict)  # runs on several devices


def new_run_id(matrix: Matrix, devices: Sequence[Device]) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{matrix.name}-{'-'.join(d.name for d in devices)}-{secrets.token_hex(2)}"


def _write_operator_lists(artifacts: Converted, folder: Path) -> None:
    lists: dict[str, list[Path]] = {}
    for artifact in artifacts.values():
        if isinstance(artifact, Artifact) and artifact.operator_list is not None:
            lists.setdefault(artifact.format, []).append(artifact.operator_list)
    write_matrix_operator_lists(lists, folder)


def convert_for_operator_lists(matrix: Matrix, device: Device, cache: ArtifactCache, folder: Path,
                               on_progress: Callable[[Progress], None] = lambda _: None) -> Converted:
    """A matrix's files for ``device``, converted (or taken from the cache) as `harness bench` converts them, and
    their operator lists written to ``folder/operator_lists``, with nothing measured: what `harness runtimes build
    --matrix` builds from."""
    planned = plan(matrix, device)
    check_some_cell_runs(matrix, planned, device.name)
    conversions = list(dict.fromkeys(p.conversion for p in planned if p.conversion))
    artifacts = convert_all(conversions, cache, True, on_progress, Timeline(None))
    _write_operator_lists(artifacts, folder / OPERATOR_LISTS_FOLDER)
    return artifacts


def _measure_peaks(device: Device, thread_counts: list[int], measurement: Measurement,
                   report: Callable[[Progress], None], timeline: Timeline) -> dict[int, float | None]:
    """The peak per thread count, measured as a cell is: on the cells' CPUs, once the device has cooled."""
    peaks: dict[int, float | None] = {}
    clock = PhaseClock("peak", len(thread_counts), report)
    cpus = device.cpu_affinity(measurement.cpu_affinity)
    for threads in thread_counts:
        label = f"float32 matrix product, {threads} thread(s)"
        clock.started(label)
        try:
            with timeline.span("cooldown", threads=threads):
                wait_for_cooldown(device.state, measurement.cooldown)
            with timeline.span("peak", threads=threads):
                peaks[threads] = device.peak_gflops(threads, cpus)
        except HarnessError:
            peaks[threads] = None
        clock.finished(label, "measured" if peaks[threads] else "unavailable")
    return peaks


def _builds_used(device: Device, planned: list[PlannedCell]) -> list[dict]:
    """The named runtime builds the device's cells run on, as run.json records them; a warning for any other."""
    runs = {p.cell.runtime for p in planned if p.conversion is not None}
    named = device.runtime_builds()
    warn_of_unused(named, runs, device.name)
    return [build.record() for runtime, build in sorted(named.items()) if runtime in runs]


def _device_facts(device: Device, planned: list[PlannedCell]) -> dict:
    builds = _builds_used(device, planned)
    return {"name": device.name, "platform": device.platform, **device.facts(),
            **({"runtime_builds": builds} if builds else {})}


def _metadata(matrix: Matrix, facts: list[dict], planned: int) -> dict:
    """One device: its facts under "device", as always. Several: a list under "devices", in the given order."""
    return {
        "matrix": {"name": matrix.name, "path": str(matrix.path) if matrix.path else None, "text": matrix.text},
        "measurement": matrix.measurement.model_dump(mode="json"),
        **({"device": facts[0]} if len(facts) == 1 else {"devices": facts}),
        "cells_planned": planned,
        "started_at": now().isoformat(),
        **run_provenance(),
    }


def _open_store(matrix: Matrix, devices: Sequence[Device], all_planned: dict[str, list[PlannedCell]],
                results_root: Path, run_id: str | None, resume: Path | None) -> tuple[RunStore, set[str]]:
    """A new run folder, or an interrupted one to finish: its recorded cells are kept and not run again."""
    if resume is None and run_id is not None:
        check_safe_name("--run-id", run_id)
    facts = [_device_facts(d, all_planned[d.name]) for d in devices]
    if resume is None:
        metadata = _metadata(matrix, facts, sum(map(len, all_planned.values())))
        return RunStore.create(results_root, run_id or new_run_id(matrix, devices), metadata), set()
    store = open_for_resume(resume, matrix, facts)
    recorded = store.metadata()
    store.update_metadata(status="running", resumed_at=[*recorded.get("resumed_at", []), now().isoformat()])
    return store, store.recorded_cell_ids()


def _check_distinct(devices: Sequence[Device]) -> None:
    names = [d.name for d in devices]
    if not names or len(set(names)) != len(names):
        raise ConfigError(f"name each device once: {','.join(names)}")


def run_bench(matrix: Matrix, device: Device | Sequence[Device], results_root: Path, cache: ArtifactCache, *,
              use_cache: bool = True, on_progress: Callable[[Progress], None] = lambda _: None,
              run_id: str | None = None, resume: Path | None = None, convert_workers: int | None = None) -> RunSummary:
    """Run every cell of ``matrix`` on ``device`` (or on each of several, concurrently: run/fleet.py), into one
    run folder; with ``resume`` (a run folder), only the cells it lacks."""
    devices = [device] if isinstance(device, Device) else list(device)
    _check_distinct(devices)
    all_planned = {d.name: plan(matrix, d) for d in devices}
    for name, planned in all_planned.items():
        if not planned:
            check_some_cell_runs(matrix, planned, name)  # says which rules removed every cell
    store, done = _open_store(matrix, devices, all_planned, results_root, run_id, resume)
    facts = {d["name"]: d for d in recorded_devices(store.metadata())}
    shared = SharedRun(matrix, store, Timeline(store.folder / TIMELINE_FILE), on_progress, len(devices) > 1,
                       {"ok": 0, "failed": 0, "skipped": 0, **({"already recorded": len(done)} if resume else {})})
    shares = [DeviceShare(d, [p for p in all_planned[d.name] if p.cell.cell_id not in done], facts[d.name], shared)
              for d in devices]
    # Interleaved, every cell ends in the last rounds, so the cells done say nothing of the time left: the rounds do.
    shared.clock = PhaseClock("run", sum(len(s.runnable) for s in shares), on_progress,
                              estimates=matrix.measurement.order != "interleaved")

    def by_device() -> dict[str, dict[str, int]]:
        return {s.device.name: s.counts for s in shares} if len(shares) > 1 else {}

    try:
        for share in shares:
            share.record_skipped()
        conversions = list(dict.fromkeys(p.conversion for s in shares for p in s.runnable if p.conversion))
        artifacts = convert_all(conversions, cache, use_cache, on_progress, shared.timeline, convert_workers)
        _write_operator_lists(artifacts, store.folder / OPERATOR_LISTS_FOLDER)
        with tempfile.TemporaryDirectory(prefix="harness-inputs-") as scratch:
            shared.clock.started("measuring")
            run_shares(shares, lambda share: share.run_cells(artifacts, Path(scratch), _measure_peaks))
    except BaseException:
        try:
            store.update_metadata(status="interrupted", finished_at=now().isoformat(), counts=shared.counts,
                                  **_counts_by_device(by_device()))
        except (OSError, HarnessError):
            pass  # a full disk; the error that stopped the run is the one to tell
        raise
    store.update_metadata(status="finished", finished_at=now().isoformat(), counts=shared.counts,
                          **_counts_by_device(by_device()))
    return RunSummary(store.folder, shared.counts, by_device())


def _counts_by_device(counts: dict[str, dict[str, int]]) -> dict:
    return {"counts_by_device": counts} if counts else {}
