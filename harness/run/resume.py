"""Finishing an interrupted run: only a folder this matrix began on this device may be resumed.

As pyperf refuses to merge runs from mismatched machines, a folder whose matrix or device differs is
refused, with the difference named; its rows could not be compared with the ones a resume would add.
"""

from __future__ import annotations

from pathlib import Path

from harness.config.matrix import Matrix
from harness.errors import ConfigError, HarnessError
from harness.results.store import RunStore

# Facts that identify a device's hardware; a run's rows are comparable only when they all agree.
IDENTITY_FACTS = ("platform", "device_model", "soc", "abi", "cpu_count")


def mismatch(recorded: dict, matrix: Matrix, device_facts: dict) -> str | None:
    """Why a run recorded as ``recorded`` (its run.json) cannot be finished with this matrix on this device."""
    old_matrix, old_device = recorded.get("matrix"), recorded.get("device")
    if not isinstance(old_matrix, dict) or not isinstance(old_device, dict):
        return "its run.json records no matrix or device"
    if old_matrix.get("text") != matrix.text:
        where = f" ({old_matrix.get('path')})" if old_matrix.get("path") else ""
        return f"it was run with another matrix{where}, or the matrix file changed since"
    for key in ("name", *IDENTITY_FACTS):
        if old_device.get(key) != device_facts.get(key):
            return f"it was run on another device: {key} was {old_device.get(key)!r}, here it is {device_facts.get(key)!r}"
    return None


def open_for_resume(folder: Path, matrix: Matrix, device_facts: dict) -> RunStore:
    """The run store of ``folder``, or a ConfigError naming the folder and why it cannot be resumed."""
    if not Path(folder).is_dir():
        raise ConfigError("--resume: not a run folder (it does not exist)", file=str(folder))
    try:
        store = RunStore.open(folder)
        recorded = store.metadata()
    except HarnessError as error:
        raise ConfigError(f"--resume: {error}", file=str(folder)) from None
    reason = mismatch(recorded, matrix, device_facts)
    if reason:
        raise ConfigError(f"--resume refused: {reason}; resume a run with the matrix and device it began with",
                          file=str(folder))
    return store
