"""What ios-app/ builds: its bundle id and version (ios-app/app.json), where `make ios-app` puts the app, and the
version of an .app folder or .ipa file given instead."""

from __future__ import annotations

import json
import plistlib
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.errors import DeviceError

IOS_APP = Path(__file__).resolve().parents[3] / "ios-app"
BUILT_APP = IOS_APP / "build/Build/Products/Release-iphoneos/MobileBenchShell.app"


@dataclass(frozen=True)
class AppFacts:
    bundle_id: str
    version: str  # CFBundleVersion


@cache
def source_app(folder: Path = IOS_APP) -> AppFacts:
    facts = json.loads((folder / "app.json").read_text())
    return AppFacts(facts["bundle_id"], str(facts["version"]))


def app_package(given: Path | None) -> Path:
    """The .app folder or .ipa to install: the alias's `app:`, else what `make ios-app` builds."""
    return Path(given) if given is not None else BUILT_APP


def package_version(package: Path) -> str | None:
    """CFBundleVersion in the package's Info.plist (an .app folder, or the one app under an .ipa's Payload/)."""
    try:
        if package.is_dir():
            info = (package / "Info.plist").read_bytes()
        else:
            with zipfile.ZipFile(package) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 2 and n.endswith(".app/Info.plist")]
                if not names:
                    return None
                info = archive.read(names[0])
        return str(plistlib.loads(info).get("CFBundleVersion"))
    except (OSError, zipfile.BadZipFile, plistlib.InvalidFileException) as error:
        raise DeviceError(f"cannot read the app's version from {package}: {error}") from None


def older(installed: str | None, wanted: str) -> bool:
    """Whether an installed CFBundleVersion (dotted integers) is missing or below ``wanted``."""
    if installed is None:
        return True
    try:
        return _numbers(installed) < _numbers(wanted)
    except ValueError:
        return installed != wanted


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
