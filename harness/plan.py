"""Expand a matrix into cells for one device, each either runnable (with its conversion) or skipped with a reason."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

from harness.config.matrix import AXES, Matrix, Rule
from harness.convert.catalog import Conversion, conversion_for
from harness.devices.base import Device
from harness.models.spec import ModelSpec
from harness.runtimes import runtime


@dataclass(frozen=True)
class Cell:
    model: ModelSpec
    runtime: str
    quantization: str
    delegate: str
    threads: int
    device: str
    execution_mode: str | None = None  # a mode the matrix's execution_modes gave; None: the device's own

    def axis_values(self) -> dict[str, str | int | None]:
        return {"model": self.model.name, "runtime": self.runtime, "quantization": self.quantization,
                "delegate": self.delegate, "threads": self.threads, "execution_mode": self.execution_mode}

    @property
    def cell_id(self) -> str:
        """Stable across runs: the same configuration on the same device has the same id. The execution mode is part
        of it only for a cell the matrix puts in a mode other than the host's Python shell, so that a cell keeps the
        id it had in runs before execution_modes existed."""
        values = {k: v for k, v in self.axis_values().items() if k != "execution_mode" or v not in (None, "process")}
        identity = json.dumps({**values, "device": self.device}, sort_keys=True)
        return hashlib.sha256(identity.encode()).hexdigest()[:16]

    @property
    def label(self) -> str:
        mode = f"/{self.execution_mode}" if self.execution_mode else ""
        return f"{self.model.name}/{self.runtime}/{self.quantization}/{self.delegate}/t{self.threads}{mode}"


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell
    conversion: Conversion | None
    skip_reason: str | None = None


def axis_lists(matrix: Matrix) -> dict[str, tuple]:
    return {"model": tuple(m.name for m in matrix.models), "runtime": matrix.runtimes,
            "quantization": matrix.quantizations, "delegate": matrix.delegates, "threads": matrix.threads,
            "execution_mode": matrix.execution_modes or (None,)}


def _combinations(lists_by_axis: dict[str, tuple], fixed: Rule | None = None) -> list[tuple]:
    lists = [(fixed.get(axis),) if fixed and fixed.get(axis) is not None else lists_by_axis[axis] for axis in AXES]
    return list(itertools.product(*lists))


def expand(matrix: Matrix) -> list[dict[str, str | int | None]]:
    """The product of the axes, minus cells matching an exclude rule, plus each include rule's cells."""
    lists_by_axis = axis_lists(matrix)
    combos = [c for c in _combinations(lists_by_axis) if not any(r.matches(dict(zip(AXES, c))) for r in matrix.exclude)]
    for rule in matrix.include:
        combos += _combinations(lists_by_axis, rule)
    return [dict(zip(AXES, c)) for c in dict.fromkeys(combos)]


def skip_reason(cell: Cell, device: Device) -> str | None:
    offered, cpus = runtime(cell.runtime), device.cpu_limit()
    if cpus is not None and cell.threads > cpus:
        return f"{cell.threads} threads on device {device.name}, which has {cpus} CPUs"
    if cell.runtime not in device.runtimes_in(cell.execution_mode):
        in_mode = f" in {cell.execution_mode} mode" if cell.execution_mode else ""
        return f"device {device.name} has no {cell.runtime} runtime{in_mode}"
    if cell.delegate not in offered.delegates:
        return f"{cell.runtime} has no {cell.delegate} delegate (it has: {', '.join(offered.delegates)})"
    if cell.delegate not in device.delegates:
        return f"device {device.name} ({device.platform}) offers no {cell.delegate} delegate"
    if cell.quantization not in offered.quantizations:
        return f"{cell.runtime} offers no {cell.quantization} quantization (it offers: {', '.join(offered.quantizations)})"
    return None


def _in_device_modes(cells: list[dict], device: Device) -> list[dict]:
    """Cells in a mode the device does not run (the host's shells, on a phone) run once in the device's own mode."""
    kept = [{**c, "execution_mode": c["execution_mode"] if c["execution_mode"] in device.modes else None} for c in cells]
    return list({tuple(c.items()): c for c in kept}.values())


def plan(matrix: Matrix, device: Device) -> list[PlannedCell]:
    planned = []
    for values in _in_device_modes(expand(matrix), device):
        mode = values["execution_mode"]
        cell = Cell(matrix.model(str(values["model"])), str(values["runtime"]), str(values["quantization"]),
                    str(values["delegate"]), int(values["threads"]), device.name, None if mode is None else str(mode))
        reason = skip_reason(cell, device)
        conversion = None
        if reason is None:
            outcome = conversion_for(cell.model, runtime(cell.runtime), cell.delegate, cell.quantization,
                                     matrix.quantization_options)
            conversion, reason = (outcome, None) if isinstance(outcome, Conversion) else (None, outcome.reason)
        planned.append(PlannedCell(cell, conversion, reason))
    return planned
