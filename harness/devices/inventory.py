"""Device aliases from configs/devices.yaml. `host` is built in and always there."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag, WithJsonSchema

from harness.compatibility import RuntimeLimits
from harness.config.yaml_source import ABSOLUTE_PATH, read_yaml, validate
from harness.devices.base import Device
from harness.errors import ConfigError
from harness.names import SAFE_NAME
from harness.registry import Registry, check_known

PLATFORMS: Registry = Registry("platform")
PLATFORMS.register("host", "harness.devices.host:HostDevice")
PLATFORMS.register("android", "harness.devices.android.device:AndroidDevice")
PLATFORMS.register("aws-device-farm", "harness.devices.farm.aws:AwsDeviceFarm")
PLATFORMS.register("ios", "harness.devices.ios.device:IosDevice")

BUILT_IN = {"host": "host"}


class RuntimeVersionsEntry(BaseModel):
    """What the device's runtimes can load; checked before a model is pushed. Leave out what you do not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tflite: str | None = Field(None, description="TFLite runtime version in TensorFlow's numbering, e.g. '2.16.1'.")
    pte: list[str] = Field([], description="ExecuTorch file identifiers the runtime reads, e.g. ['ET12'].")
    ptl_max_bytecode: int | None = Field(None, ge=1, description="Newest lite-interpreter bytecode version it loads.")


def _host_platform(value: str) -> str:
    """Entries whose platform is not android are read as the host's: an unknown one is named as such."""
    if value != "host":
        raise ValueError(f"unknown platform {value!r} (known: {', '.join(sorted(PLATFORMS.names()))})")
    return value


class HostEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Annotated[str, AfterValidator(_host_platform), WithJsonSchema({"const": "host"})]
    description: str = ""
    runtime_versions: RuntimeVersionsEntry = RuntimeVersionsEntry()


class ToolsEntry(BaseModel):
    """The runtimes' own command-line benchmark tools, built for the phone's ABI; used in cli mode."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    benchmark_model: Path | None = Field(None, description="TFLite's benchmark_model (LiteRT cells).")
    executor_runner: Path | None = Field(None, description="ExecuTorch's executor_runner, built with XNNPACK.")
    speed_benchmark_torch: Path | None = Field(None, description="PyTorch's speed_benchmark_torch, lite-interpreter build.")


class AndroidEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Literal["android"]
    description: str = ""
    runtime_versions: RuntimeVersionsEntry = RuntimeVersionsEntry()
    serial: str = Field("auto", description="adb serial; 'auto' takes the single attached device; HOST:PORT is `adb connect`ed.")
    mode: Literal["app", "cli"] = Field("app", description="app: the project's Android app; cli: the runtimes' own tools.")
    work_folder: str = Field("/data/local/tmp/mobile-bench", pattern=ABSOLUTE_PATH,
                             description="Each run gets its own folder below this, removed when the run ends.")
    pin_big_cores: bool = Field(False, description="cli mode: run tools on the cores with the highest cpuinfo_max_freq.")
    tools: ToolsEntry = ToolsEntry()
    runtime_builds: list[Path] = Field([], description="cli mode: build folders of `harness runtimes build` "
                                                       "(builds/<runtime>/<abi>/<kind>-<key>), one per runtime, whose "
                                                       "tools replace those of `tools:` (docs/size.md).")
    sustained_performance: bool = Field(False, description="app mode: ask for Android's sustained-performance mode "
                                                           "(steadier clocks, lower peaks) where the phone supports it.")
    apk: Path | None = Field(None, description="app mode: where the APKs to install are, when a flavor's app is missing or "
                                                "older than android-app/version.properties: a folder laid out like "
                                                "android-app/app/build/outputs/apk (the default), or one APK file.")


class IosEntry(BaseModel):
    """An iPhone or iPad over usbmux (docs/ios.md); cells run in the project's iOS app (ios-app/)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Literal["ios"]
    description: str = ""
    runtime_versions: RuntimeVersionsEntry = RuntimeVersionsEntry()
    udid: str = Field("auto", pattern=r"^(auto|[0-9A-Fa-f-]{24,40})$",
                      description="The device's UDID (`pymobiledevice3 usbmux list`); 'auto' takes the single attached one.")
    mode: Literal["app"] = Field("app", description="app: the project's iOS app, the only way cells run on iOS.")
    app: Path | None = Field(None, description="The .app folder or .ipa to install when the iPhone's app is missing or "
                                                "older than ios-app/app.json; default: what `make ios-app` builds.")
    tunneld: str = Field("127.0.0.1:49151", pattern=r"^[\w.-]+:\d{1,5}$",
                         description="iOS 17 and newer: where `sudo pymobiledevice3 remote tunneld` listens (HOST:PORT).")


FARM_ARN = r"^arn:aws:devicefarm:[a-z0-9-]+:\d{12}:[a-z]+:[\w/-]+$"


class AwsDeviceFarmEntry(BaseModel):
    """A pool of phones in AWS Device Farm (docs/farm.md). No credentials here: boto3 takes them from the
    standard AWS chain (environment, shared profile, role)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Literal["aws-device-farm"]
    description: str = ""
    runtime_versions: RuntimeVersionsEntry = RuntimeVersionsEntry()
    project_arn: str = Field(pattern=FARM_ARN, description="arn:aws:devicefarm:REGION:ACCOUNT:project:ID")
    device_pool_arn: str = Field(pattern=FARM_ARN, description="The phones every cell runs on: ...:devicepool:ID")
    region: str = Field("us-west-2", pattern=r"^[a-z]{2}-[a-z]+-\d$", description="Device Farm's region.")
    apk: Path | None = Field(None, description="The app to install: the main flavor's APK.")
    job_timeout_minutes: int = Field(60, ge=5, le=150, description="Device Farm ends each phone's job after this.")
    run_timeout_minutes: float = Field(120, gt=0, description="The harness stops the whole run (stop_run) after this.")
    poll_seconds: float = Field(30, gt=0, description="How often the uploads' and the run's status are read.")


_ENTRY_OF_PLATFORM = {"android": "AndroidEntry", "ios": "IosEntry", "aws-device-farm": "AwsDeviceFarmEntry"}


def _platform_of(value) -> str:
    """Validate against one member, so a misspelled key is reported as such; unknown platforms fail as host's."""
    return _ENTRY_OF_PLATFORM.get(str(value.get("platform")), "HostEntry") if isinstance(value, dict) else "HostEntry"


DeviceEntry = Annotated[Annotated[HostEntry, Tag("HostEntry")] | Annotated[AndroidEntry, Tag("AndroidEntry")]
                        | Annotated[IosEntry, Tag("IosEntry")] | Annotated[AwsDeviceFarmEntry, Tag("AwsDeviceFarmEntry")],
                        Discriminator(_platform_of)]
AnyEntry = HostEntry | AndroidEntry | IosEntry | AwsDeviceFarmEntry


class DevicesFile(RootModel[dict[Annotated[str, Field(pattern=SAFE_NAME)], DeviceEntry]]):
    """Alias -> device. Aliases name run folders, so they follow the safe-name rule."""


def _entries(path: Path | None) -> dict[str, AnyEntry]:
    """Alias -> entry, from the devices file when it exists, with `host` always present."""
    entries: dict[str, AnyEntry] = {alias: HostEntry(platform="host") for alias in BUILT_IN}
    if path is not None and Path(path).is_file():
        source = read_yaml(Path(path))
        if source.data is not None:
            devices = validate(source, DevicesFile)
            assert isinstance(devices, DevicesFile)
            entries.update(devices.root)
    elif path is not None and Path(path) != default_devices_path():
        raise ConfigError("devices file not found", file=str(path))
    return entries


def device_aliases(path: Path | None) -> dict[str, str]:
    """Alias -> platform, from the devices file when it exists, with `host` always present."""
    return {alias: entry.platform for alias, entry in _entries(path).items()}


def default_devices_path() -> Path:
    return Path("configs/devices.yaml")


def open_device(alias: str, devices_path: Path | None = None, mode: str | None = None,
                runtime_builds: Sequence[Path] = ()) -> Device:
    """The device an alias names. ``mode`` (app, cli on phones; native on the host) overrides the alias's own;
    the host runs cells in its Python shell (process) unless asked for native. Results record which mode ran.
    ``runtime_builds``: build folders whose tools a phone in cli mode runs (--runtime-build); others take none."""
    entries = _entries(devices_path if devices_path is not None else default_devices_path())
    check_known("device", alias, sorted(entries))
    entry = entries[alias]
    if entry.platform == "host":
        device = PLATFORMS.get("host")(alias, mode)
    elif entry.platform == "android":
        device = PLATFORMS.get("android")(alias, entry, mode, runtime_builds)
    else:
        device = PLATFORMS.get(entry.platform)(alias, entry, mode)
    versions = entry.runtime_versions
    device.runtime_limits = RuntimeLimits(versions.tflite, tuple(versions.pte), versions.ptl_max_bytecode)
    return device
