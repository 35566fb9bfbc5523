"""Finishing an interrupted run: only a folder this matrix began on these devices may be resumed.

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


def recorded_devices(metadata: dict) -> list[dict]:
    """The facts of every device a run folder was made for: "devices" for several, "device" for one."""
    devices = metadata.get("devices", [metadata.get("device")])
    return devices if isinstance(devices, list) and all(isinstance(d, dict) for d in devices) else []


def mismatch(recorded: dict, matrix: Matrix, devices_facts: list[dict]) -> str | None:
    """Why a run recorded as ``recorded`` (its run.json) cannot be finished with this matrix on these devices."""
    old_matrix, old_devices = recorded.get("matrix"), recorded_devices(recorded)
    if not isinstance(old_matrix, dict) or not old_devices:
        return "its run.json records no matrix or device"
    if old_matrix.get("text") != matrix.text:
        where = f" ({old_matrix.get('path')})" if old_matrix.get("path") else ""
        return f"it was run with another matrix{where}, or the matrix file changed since"
    old_names, names = [d.get("name") for d in old_devices], [d.get("name") for d in devices_facts]
    if old_names != names:
        return f"it was run on {','.join(map(str, old_names))}, here on {','.join(map(str, names))}"
    for old_device, device_facts in zip(old_devices, devices_facts):
        for key in IDENTITY_FACTS:
            if old_device.get(key) != device_facts.get(key):
                return (f"it was run on another device: {old_device.get('name')}'s {key} was {old_device.get(key)!r}, "
                        f"here it is {device_facts.get(key)!r}")
        if _builds(old_device) != _builds(device_facts):
            return (f"it was run on other runtime builds: {old_device.get('name')} ran on "
                    f"{_described(old_device)}, here on {_described(device_facts)}")
    return None


def _builds(device: dict) -> list[dict]:
    """The named runtime builds a device's cells ran on (run/bench.py records them), without where they lay."""
    return [{k: v for k, v in build.items() if k != "path"} for build in device.get("runtime_builds", [])]


def _described(device: dict) -> str:
    builds = device.get("runtime_builds", [])
    return ", ".join(f"{b.get('path')} ({b.get('kind')}-{b.get('key')})" for b in builds) or "no named build"


def open_for_resume(folder: Path, matrix: Matrix, devices_facts: list[dict]) -> RunStore:
    """The run store of ``folder``, or a ConfigError naming the folder and why it cannot be resumed."""
    if not Path(folder).is_dir():
        raise ConfigError("--resume: not a run folder (it does not exist)", file=str(folder))
    try:
        store = RunStore.open(folder)
        recorded = store.metadata()
    except HarnessError as error:
        raise ConfigError(f"--resume: {error}", file=str(folder)) from None
    reason = mismatch(recorded, matrix, devices_facts)
    if reason:
        raise ConfigError(f"--resume refused: {reason}; resume a run with the matrix and device it began with",
                          file=str(folder))
    return store
