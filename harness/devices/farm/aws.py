"""`platform: aws-device-farm`: a pool of phones in AWS Device Farm, behind the device interface.

A farm does not take one request at a time: it takes a batch (every cell of the run) and returns each phone's
results when its job ends. So it offers ``run_batch`` instead of ``run``; the runner (run/fleet.py) hands it
the cells it would have run one by one, and turns each phone's results into rows of their own (farm/batch.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from harness.devices.base import Launch
from harness.devices.farm.batch import FarmDevice
from harness.devices.farm.package import FarmCell, farm_test_spec, write_test_package
from harness.devices.farm.session import FarmRun, FarmSession, make_client
from harness.errors import ConfigError


class AwsDeviceFarm(FarmDevice):
    platform = "android"  # what runs on the phones: the Android app and its runtimes
    delegates = frozenset({"xnnpack", "none"})

    def __init__(self, name: str, entry, mode: str | None = None, client=None, **session_options):
        super().__init__(name)
        if mode == "cli":
            raise ConfigError(f"device {name} (aws-device-farm) runs cells in the app only, not in cli mode")
        self.entry, self._client, self._session_options = entry, client, session_options
        self.last_run: FarmRun | None = None

    def settings(self) -> dict[str, str]:
        return {"engine": "aws-device-farm", "region": self.entry.region, "mode": self.mode}

    def facts(self) -> dict[str, str | int | float | None]:
        return {"engine": "aws-device-farm", "device_pool_arn": self.entry.device_pool_arn}

    def session(self) -> FarmSession:
        client = self._client if self._client is not None else make_client(self.entry.region)
        return FarmSession(client, self.entry.project_arn, poll_seconds=self.entry.poll_seconds,
                           **self._session_options)

    def run_batch(self, cells: Sequence[FarmCell], launch: Launch, run_name: str) -> FarmRun:
        """Upload the app, the package and the spec; schedule one run on the pool; wait (stop_run past the
        timeout); collect every phone's results. Raises DeviceError when nothing could run at all."""
        if self.entry.apk is None or not Path(self.entry.apk).is_file():
            raise ConfigError(f"device {self.name}: give `apk:` (the app to install on the farm's phones)")
        session = self.session()
        with tempfile.TemporaryDirectory(prefix="harness-farm-") as scratch:
            folder = Path(scratch)
            package = write_test_package(cells, folder / "mobile-bench-cells.zip")
            spec = folder / "mobile-bench.yml"
            spec.write_text(farm_test_spec(launch.timeout_seconds))
            app_arn = session.upload(Path(self.entry.apk), "ANDROID_APP", "application/vnd.android.package-archive")
            package_arn = session.upload(package, "APPIUM_PYTHON_TEST_PACKAGE", "application/zip")
            spec_arn = session.upload(spec, "APPIUM_PYTHON_TEST_SPEC", "application/x-yaml")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        run = session.schedule(f"mobile-bench {run_name} {stamp}", app_arn, self.entry.device_pool_arn, package_arn,
                               spec_arn, self.entry.job_timeout_minutes)
        session.wait(run, self.entry.run_timeout_minutes * 60)
        self.last_run = session.collect(run)
        return run
