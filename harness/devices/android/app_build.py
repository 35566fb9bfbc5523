"""What android-app/ builds, read from its facts file (android-app/runtimes.json): one APK per flavor,
each with its package and the runtimes it holds. The Gradle build reads the same file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.devices.android import reports
from harness.errors import DeviceError

ANDROID_APP = Path(__file__).resolve().parents[3] / "android-app"
APK_FOLDER = ANDROID_APP / "app/build/outputs/apk"
ACTIVITY_CLASS = "org.mobilebench.shell.BenchActivity"  # the namespace's, the same in every flavor


@dataclass(frozen=True)
class Flavor:
    name: str
    package: str
    runtimes: tuple[str, ...]

    @property
    def activity(self) -> str:
        return f"{self.package}/{ACTIVITY_CLASS}"

    @property
    def files_folder(self) -> str:
        """The app's external files folder, as the shell user sees it: the only place it takes requests from."""
        return f"/sdcard/Android/data/{self.package}/files"

    def apk(self, given: Path | None) -> Path:
        """The APK `make android-app` builds for this flavor; `given` is a folder of such builds, or one file."""
        if given is not None and Path(given).is_file():
            return Path(given)
        folder = Path(given) if given is not None else APK_FOLDER
        return folder / self.name / "release" / f"app-{self.name}-release.apk"


@cache
def facts(folder: Path = ANDROID_APP) -> dict:
    return json.loads((folder / "runtimes.json").read_text())


def flavors(folder: Path = ANDROID_APP) -> tuple[Flavor, ...]:
    return tuple(Flavor(name, entry["application_id"], tuple(entry["runtimes"]))
                 for name, entry in facts(folder)["flavors"].items())


def flavor_for(runtime: str) -> Flavor:
    for flavor in flavors():
        if runtime in flavor.runtimes:
            return flavor
    raise DeviceError(f"no APK of android-app/ holds the {runtime} runtime (android-app/runtimes.json)")


def log_tag() -> str:
    return facts()["log_tag"]


def source_version_code(folder: Path = ANDROID_APP) -> int | None:
    """versionCode in android-app/version.properties: what `make android-app` builds."""
    try:
        text = (folder / "version.properties").read_text()
    except OSError:
        return None
    return reports.parse_version_code(text)
