"""What the harness uploads to a farm: the test package (every cell's request and files, and the script that
runs them on the phone through the app) and the test spec that calls the script.

On the farm's test host the script does what app mode does over adb here (devices/android/app_mode.py): push
a cell's files into the app's files folder, `am start` the app with the request and result paths, wait for the
result and pull it into the folder the farm returns as customer artifacts: results/CELL_ID.json, or
results/CELL_ID.error with the app's last log lines when no result came back.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.devices.android.app_build import Flavor
from harness.protocol import Request

RESULTS_FOLDER = "results"  # in $DEVICEFARM_LOG_DIR, and so in the customer-artifacts zip
CELLS_FOLDER = "tests/cells"  # in the test package
SCRIPT = "tests/run_cells.sh"

# One cell per folder: request.json, the model and inputs, and "flavor" (the app's package for its runtime).
_RUN_CELLS = """\
#!/bin/sh
# Written by mobile-bench (harness/devices/farm/package.py). Runs every cell in $1 on the phone $2 through the
# app, one at a time, and writes each result into $3/results. A cell that fails leaves an .error file; the
# script goes on to the next.
set -u
cells="$1"; serial="$2"; out="$3/results"; timeout="$4"
mkdir -p "$out"
for folder in "$cells"/*/; do
  cell=$(basename "$folder"); package=$(cat "$folder/flavor")
  remote="/sdcard/Android/data/$package/files/farm/$cell"
  adb -s "$serial" shell mkdir -p "$remote"
  for file in "$folder"/*; do adb -s "$serial" push "$file" "$remote/" >/dev/null; done
  adb -s "$serial" logcat -c
  adb -s "$serial" shell am start -W -S -n "$package/org.mobilebench.shell.BenchActivity" \\
    --es request "$remote/request.json" --es result "$remote/result.json" >/dev/null
  waited=0
  until adb -s "$serial" shell test -f "$remote/result.json" || [ "$waited" -ge "$timeout" ]; do
    sleep 1; waited=$((waited + 1))
  done
  if ! adb -s "$serial" pull "$remote/result.json" "$out/$cell.json" >/dev/null 2>&1; then
    { echo "no result within ${timeout}s"; adb -s "$serial" logcat -d -s mobile-bench | tail -n 20; } > "$out/$cell.error"
  fi
  adb -s "$serial" shell rm -rf "$remote"
done
"""


@dataclass(frozen=True)
class FarmCell:
    """One request to run on every phone of the pool, with the local files it names."""

    request: Request
    files: dict[str, Path]
    flavor: Flavor


def farm_test_spec(cell_timeout_seconds: float) -> str:
    """The test spec (Device Farm's custom environment, version 0.1): the test phase runs the package's script."""
    run = " ".join(["sh", f"$DEVICEFARM_TEST_PACKAGE_PATH/{SCRIPT}", f"$DEVICEFARM_TEST_PACKAGE_PATH/{CELLS_FOLDER}",
                    "$DEVICEFARM_DEVICE_UDID", "$DEVICEFARM_LOG_DIR", str(int(cell_timeout_seconds))])
    return "\n".join([
        "# Written by mobile-bench (harness/devices/farm/package.py); uploaded as the run's test spec.",
        "version: 0.1",
        "android_test_host: amazon_linux_2",
        "phases:",
        "  install:",
        "    commands:",
        "      - adb -s $DEVICEFARM_DEVICE_UDID install -r $DEVICEFARM_APP_PATH",
        "  test:",
        "    commands:",
        f"      - {run}",
        "artifacts:",
        "  - $DEVICEFARM_LOG_DIR",
        "",
    ])


def write_test_package(cells: Sequence[FarmCell], target: Path) -> Path:
    """The zip Device Farm takes as an APPIUM_PYTHON_TEST_PACKAGE: requirements.txt, an empty wheelhouse and tests/."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("requirements.txt", "")
        package.writestr("wheelhouse/", "")
        info = zipfile.ZipInfo(SCRIPT)
        info.external_attr = 0o755 << 16
        package.writestr(info, _RUN_CELLS)
        for cell in cells:
            folder = f"{CELLS_FOLDER}/{cell.request.cell_id}"
            package.writestr(f"{folder}/request.json", json.dumps(cell.request.to_json(), sort_keys=True))
            package.writestr(f"{folder}/flavor", cell.flavor.package)
            for name, local in sorted(cell.files.items()):
                package.write(local, f"{folder}/{name}")
    return target


def results_in(artifact: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """cell id -> ("result", JSON text) or ("error", text), from a customer-artifacts zip, wherever the farm put
    the results folder inside it."""
    found: dict[str, tuple[str, str]] = {}
    for name in artifact.namelist():
        path = Path(name)
        if path.parent.name != RESULTS_FOLDER or path.suffix not in (".json", ".error"):
            continue
        found[path.stem] = ("result" if path.suffix == ".json" else "error", artifact.read(name).decode(errors="replace"))
    return found
