"""What any farm engine offers the runner (AWS Device Farm now; docs/farm.md maps Firebase Test Lab and
BrowserStack onto it): every cell of a run as one batch, and each phone's results back.

A farm's phones are not the alias: each phone's rows carry its own device, ``ALIAS/PHONE NAME``, so one
run folder holds every phone's rows without their cell ids colliding.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from harness.devices.base import Device, Launch
from harness.devices.farm.package import FarmCell
from harness.devices.farm.session import FarmRun, PhoneOutcome
from harness.devices.state import DeviceState
from harness.errors import DeviceError
from harness.protocol import Request, Result
from harness.run.outcome import CellOutcome


class FarmDevice(Device):
    mode = "app"

    def run(self, request: Request, files: dict[str, Path], launch: Launch) -> Result:
        raise DeviceError(f"{self.name} runs a run's cells together (run_batch), not one request at a time")

    @abstractmethod
    def run_batch(self, cells: Sequence[FarmCell], launch: Launch, run_name: str) -> FarmRun:
        """Run every cell on every phone of the pool; each phone's results, or the farm's error text."""


def phone_outcome(outcome: CellOutcome, phone: PhoneOutcome) -> CellOutcome:
    """The cell as one phone of the farm ran it: its own device name (and so its own cell id), its result or
    the farm's own words for why there is none."""
    planned = outcome.planned
    cell = replace(planned.cell, device=f"{planned.cell.device}/{phone.device_name}")
    mine = CellOutcome(replace(planned, cell=cell), "ok", artifact=outcome.artifact, started_at=outcome.started_at,
                       cpu_affinity=outcome.cpu_affinity, peak_gflops=outcome.peak_gflops)
    result = phone.results.get(planned.cell.cell_id)
    if result is None:
        mine.fail("device", phone.errors.get(planned.cell.cell_id) or phone.job_error or "the farm returned no result")
        return mine
    unknown = DeviceState(taken_at=time.monotonic())  # the farm reports no readings from around the cell
    mine.add_result(result, unknown, unknown)
    if phone.job_error:
        mine.device_notes.append(phone.job_error)
    return mine


def farm_summary(run: FarmRun) -> dict:
    """What a farm run cost and where it ran, for run.json: never a credential, only the farm's own facts."""
    return {"run_arn": run.arn, "status": run.status, "result": run.result, "stopped": run.stopped,
            "device_minutes": run.device_minutes,
            "devices": [{"name": p.device_name, "device_minutes": p.device_minutes, "error": p.job_error}
                        for p in run.phones]}


def run_on_farm(device: FarmDevice, outcomes: list[CellOutcome], request_files: Callable, launch: Launch,
                run_name: str, record: Callable[[CellOutcome], None]) -> FarmRun | None:
    """Every outcome's request in one batch, then one row per cell and phone. A farm that runs nothing at all
    (an upload refused, say) fails the alias's cells with its text."""
    cells = []
    from harness.devices.android.app_build import flavor_for

    for outcome in outcomes:
        request, files = request_files(outcome)
        cells.append(FarmCell(request, files, flavor_for(request.runtime)))
    try:
        run = device.run_batch(cells, launch, run_name)
    except DeviceError as error:
        for outcome in outcomes:
            outcome.fail("device", str(error))
            record(outcome)
        return None
    for phone in run.phones:
        for outcome in outcomes:
            record(phone_outcome(outcome, phone))
    return run
