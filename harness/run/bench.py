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

from harness.config.matrix import Matrix
from harness.convert.cache import Artifact, ArtifactCache
from harness.devices.base import Device
from harness.errors import ConfigError, HarnessError
from harness.plan import plan
from harness.provenance import run_provenance
from harness.results.store import RunStore
from harness.run.conversions import Converted, convert_all
from harness.run.fleet import DeviceShare, SharedRun, run_shares
from harness.run.outcome import now
from harness.run.progress import PhaseClock, Progress
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


def _measure_peaks(device: Device, thread_counts: list[int], report: Callable[[Progress], None],
                   timeline: Timeline) -> dict[int, float | None]:
    peaks: dict[int, float | None] = {}
    clock = PhaseClock("peak", len(thread_counts), report)
    for threads in thread_counts:
        label = f"float32 matrix product, {threads} thread(s)"
        clock.started(label)
        try:
            with timeline.span("peak", threads=threads):
                peaks[threads] = device.peak_gflops(threads)
        except HarnessError:
            peaks[threads] = None
        clock.finished(label, "measured" if peaks[threads] else "unavailable")
    return peaks


def _device_facts(device: Device) -> dict:
    return {"name": device.name, "platform": device.platform, **device.facts()}


def _metadata(matrix: Matrix, devices: Sequence[Device], planned: int) -> dict:
    """One device: its facts under "device", as always. Several: a list under "devices", in the given order."""
    facts = [_device_facts(d) for d in devices]
    return {
        "matrix": {"name": matrix.name, "path": str(matrix.path) if matrix.path else None, "text": matrix.text},
        "measurement": matrix.measurement.model_dump(mode="json"),
        **({"device": facts[0]} if len(facts) == 1 else {"devices": facts}),
        "cells_planned": planned,
        "started_at": now().isoformat(),
        **run_provenance(),
    }


def recorded_devices(metadata: dict) -> list[dict]:
    """The facts of every device a run folder was made for."""
    return metadata["devices"] if "devices" in metadata else [metadata["device"]]


def _open_store(matrix: Matrix, devices: Sequence[Device], planned: int, results_root: Path,
                run_id: str | None, resume: Path | None) -> tuple[RunStore, set[str]]:
    """A new run folder, or an interrupted one to finish: its recorded cells are kept and not run again."""
    if resume is None:
        metadata = _metadata(matrix, devices, planned)
        return RunStore.create(results_root, run_id or new_run_id(matrix, devices), metadata), set()
    store = RunStore.open(resume)
    recorded = store.metadata()
    names = [d["name"] for d in recorded_devices(recorded)]
    if recorded["matrix"]["text"] != matrix.text or names != [d.name for d in devices]:
        raise ConfigError(f"{resume} was run with another matrix or device; resume it with the same ones "
                          f"(device {','.join(names)}, matrix {recorded['matrix']['path']})")
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
    store, done = _open_store(matrix, devices, sum(map(len, all_planned.values())), results_root, run_id, resume)
    facts = {d["name"]: d for d in recorded_devices(store.metadata())}
    shared = SharedRun(matrix, store, Timeline(store.folder / TIMELINE_FILE), on_progress, len(devices) > 1,
                       {"ok": 0, "failed": 0, "skipped": 0, **({"already recorded": len(done)} if resume else {})})
    shares = [DeviceShare(d, [p for p in all_planned[d.name] if p.cell.cell_id not in done], facts[d.name], shared)
              for d in devices]
    shared.clock = PhaseClock("run", sum(len(s.runnable) for s in shares), on_progress)

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
        store.update_metadata(status="interrupted", finished_at=now().isoformat(), counts=shared.counts,
                              **_counts_by_device(by_device()))
        raise
    store.update_metadata(status="finished", finished_at=now().isoformat(), counts=shared.counts,
                          **_counts_by_device(by_device()))
    return RunSummary(store.folder, shared.counts, by_device())


def _counts_by_device(counts: dict[str, dict[str, int]]) -> dict:
    return {"counts_by_device": counts} if counts else {}
