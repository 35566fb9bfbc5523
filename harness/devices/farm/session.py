"""One run on AWS Device Farm, through boto3's devicefarm client: upload, schedule, poll, collect.

Every call goes through one client made from the standard AWS credential chain; the harness never reads,
stores or logs a credential. HTTP (the presigned PUT of an upload, the GET of an artifact) goes through
injectable functions, so the tests (botocore's Stubber on the real service model) never reach the network.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.devices.farm.package import results_in
from harness.errors import DeviceError, ProtocolError
from harness.protocol import Result

UPLOAD_DONE = {"SUCCEEDED", "FAILED"}
RUN_DONE = {"COMPLETED"}
JOB_OK = {"PASSED"}
ARTIFACTS = "CUSTOMER_ARTIFACT"  # the zip of $DEVICEFARM_LOG_DIR, where the test spec's script put the results


def http_put(url: str, path: Path, content_type: str) -> None:
    data = path.read_bytes()
    request = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310  # the farm's presigned https URL
        if response.status >= 300:
            raise DeviceError(f"uploading {path.name} failed: HTTP {response.status}")


def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as response:  # noqa: S310  # the farm's presigned https URL
        return response.read()


@dataclass(frozen=True)
class PhoneOutcome:
    """One phone of the pool: its results by cell id, or the farm's own error text for every cell it lacks."""

    device_name: str
    device_minutes: float | None
    results: dict[str, Result]
    errors: dict[str, str]
    job_error: str | None  # the job failed or errored as a whole: this text fails every cell without a result


@dataclass
class FarmRun:
    arn: str
    status: str = "PENDING"
    result: str | None = None
    device_minutes: float | None = None
    phones: list[PhoneOutcome] = field(default_factory=list)
    stopped: bool = False


def make_client(region: str):
    """boto3 is imported here only: nothing else in the harness needs it."""
    try:
        import boto3
    except ImportError:
        raise DeviceError("AWS Device Farm needs boto3: pip install 'mobile-bench[farm]'") from None
    return boto3.client("devicefarm", region_name=region)


class FarmSession:
    def __init__(self, client, project_arn: str, *, put: Callable[[str, Path, str], None] = http_put,
                 get: Callable[[str], bytes] = http_get, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, poll_seconds: float = 30.0):
        self.client, self.project_arn, self.put, self.get = client, project_arn, put, get
        self.sleep, self.clock, self.poll_seconds = sleep, clock, poll_seconds

    def upload(self, path: Path, kind: str, content_type: str = "application/octet-stream") -> str:
        """create_upload, the presigned PUT, then get_upload until the farm has processed it; its ARN."""
        upload = self.client.create_upload(projectArn=self.project_arn, name=path.name, type=kind,
                                           contentType=content_type)["upload"]
        self.put(upload["url"], path, content_type)
        while upload["status"] not in UPLOAD_DONE:
            self.sleep(self.poll_seconds)
            upload = self.client.get_upload(arn=upload["arn"])["upload"]
        if upload["status"] == "FAILED":
            reason = upload.get("metadata") or upload.get("message") or "no reason given"
            raise DeviceError(f"Device Farm refused {path.name}: {reason}")
        return upload["arn"]

    def schedule(self, name: str, app_arn: str, pool_arn: str, package_arn: str, spec_arn: str,
                 job_timeout_minutes: int) -> FarmRun:
        run = self.client.schedule_run(
            projectArn=self.project_arn, appArn=app_arn, devicePoolArn=pool_arn, name=name,
            test={"type": "APPIUM_PYTHON", "testPackageArn": package_arn, "testSpecArn": spec_arn},
            executionConfiguration={"jobTimeoutMinutes": job_timeout_minutes})["run"]
        return FarmRun(run["arn"], run.get("status", "PENDING"))

    def wait(self, run: FarmRun, timeout_seconds: float) -> FarmRun:
        """get_run until it completes; past the timeout, stop_run and wait for the farm to finish stopping (what the
        phones did before the stop is still collected)."""
        deadline = self.clock() + timeout_seconds
        while True:
            found = self.client.get_run(arn=run.arn)["run"]
            run.status, run.result = found["status"], found.get("result")
            run.device_minutes = found.get("deviceMinutes", {}).get("total")
            if run.status in RUN_DONE:
                return run
            if self.clock() >= deadline and not run.stopped:
                self.client.stop_run(arn=run.arn)
                run.stopped = True
            self.sleep(self.poll_seconds)

    def collect(self, run: FarmRun) -> FarmRun:
        """list_jobs (one per phone), then each job's customer artifacts, read into results."""
        for job in self._all("list_jobs", "jobs", arn=run.arn):
            run.phones.append(self._phone(job))
        return run

    def _all(self, method: str, key: str, **arguments) -> list[dict]:
        items, token = [], None
        while True:
            page = getattr(self.client, method)(**arguments, **({"nextToken": token} if token else {}))
            items.extend(page.get(key, []))
            token = page.get("nextToken")
            if not token:
                return items

    def _phone(self, job: dict) -> PhoneOutcome:
        results, errors = {}, {}
        for artifact in self._all("list_artifacts", "artifacts", arn=job["arn"], type="FILE"):
            if artifact.get("type") != ARTIFACTS or "url" not in artifact:
                continue
            with zipfile.ZipFile(io.BytesIO(self.get(artifact["url"]))) as archive:
                for cell_id, (kind, text) in results_in(archive).items():
                    if kind == "error":
                        errors[cell_id] = text.strip()
                        continue
                    try:
                        results[cell_id] = Result.from_json(json.loads(text))
                    except (ValueError, ProtocolError) as problem:
                        errors[cell_id] = f"the app wrote an invalid result: {problem}"
        job_error = None
        if job.get("result") not in JOB_OK:
            job_error = f"Device Farm job {job.get('result', 'without a result')}: {job.get('message') or 'no message'}"
        device = job.get("device", {})
        return PhoneOutcome(device.get("name") or job.get("name", "unknown"), job.get("deviceMinutes", {}).get("total"),
                            results, errors, job_error)
