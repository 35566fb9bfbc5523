"""Device aliases from configs/devices.yaml. `host` is built in and always there."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from harness.compatibility import RuntimeLimits

from harness.config.yaml_source import read_yaml, validate
from harness.devices.base import Device
from harness.errors import ConfigError
from harness.registry import Registry, check_known

PLATFORMS: Registry = Registry("platform")
PLATFORMS.register("host", "harness.devices.host:HostDevice")

BUILT_IN = {"host": "host"}


class RuntimeVersionsEntry(BaseModel):
    """What the device's runtimes can load; checked before a model is pushed. Leave out what you do not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tflite: str | None = Field(None, description="TFLite runtime version in TensorFlow's numbering, e.g. '2.16.1'.")
    pte: list[str] = Field([], description="ExecuTorch file identifiers the runtime reads, e.g. ['ET12'].")
    ptl_max_bytecode: int | None = Field(None, ge=1, description="Newest lite-interpreter bytecode version it loads.")


class DeviceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Literal["host"]
    description: str = ""
    runtime_versions: RuntimeVersionsEntry = RuntimeVersionsEntry()


class DevicesFile(RootModel[dict[str, DeviceEntry]]):
    pass


def _entries(path: Path | None) -> dict[str, DeviceEntry]:
    """Alias -> entry, from the devices file when it exists, with `host` always present."""
    entries = {alias: DeviceEntry(platform=platform) for alias, platform in BUILT_IN.items()}
    if path is not None and Path(path).is_file():
        source = read_yaml(Path(path))
        if source.data is not None:
            entries.update(validate(source, DevicesFile).root)
    elif path is not None and Path(path) != default_devices_path():
        raise ConfigError("devices file not found", file=str(path))
    return entries


def device_aliases(path: Path | None) -> dict[str, str]:
    """Alias -> platform, from the devices file when it exists, with `host` always present."""
    return {alias: entry.platform for alias, entry in _entries(path).items()}


def default_devices_path() -> Path:
    return Path("configs/devices.yaml")


def open_device(alias: str, devices_path: Path | None = None) -> Device:
    entries = _entries(devices_path if devices_path is not None else default_devices_path())
    check_known("device", alias, sorted(entries))
    entry = entries[alias]
    device = PLATFORMS.get(entry.platform)(alias)
    versions = entry.runtime_versions
    device.runtime_limits = RuntimeLimits(versions.tflite, tuple(versions.pte), versions.ptl_max_bytecode)
    return device
