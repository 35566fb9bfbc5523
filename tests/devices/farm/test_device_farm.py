"""The AWS Device Farm backend against botocore's Stubber: every call's parameters and every response are
checked against the real service model, and nothing reaches AWS (HTTP goes through injected functions)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from harness.devices.base import Launch
from harness.devices.farm.package import FarmCell, farm_test_spec, write_test_package
from harness.devices.inventory import open_device
from harness.errors import ConfigError, DeviceError
from tests.conftest import require
from tests.fixtures.messages import input_file, request, result, timing

GOLDEN = Path(__file__).parent / "golden"
ACCOUNT = "123456789012"
PROJECT = f"arn:aws:devicefarm:us-west-2:{ACCOUNT}:project:5e01a8c7-c861-4c0a-b1d5-5ec6d6c6f2a5"
POOL = f"arn:aws:devicefarm:us-west-2:{ACCOUNT}:devicepool:5e01a8c7-c861-4c0a-b1d5-5ec6d6c6f2a5/0f7b8e5c"
RUN = f"arn:aws:devicefarm:us-west-2:{ACCOUNT}:run:5e01a8c7/run-1"
CELLS = ("c0ffee0000000001", "c0ffee0000000002")
PHONES = ("Google Pixel 8", "Samsung Galaxy S24")
FAKE_KEY = "AKIAFAKEFAKEFAKEFAKE"  # a made-up key for the client; the Stubber answers before anything is signed
FAKE_SECRET = "fake-secret-that-must-never-be-written-anywhere"


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:devicefarm:us-west-2:{ACCOUNT}:{kind}:5e01a8c7/{name}"


@pytest.fixture
def client():
    boto3 = require("boto3")
    from botocore.stub import Stubber

    made = boto3.client("devicefarm", region_name="us-west-2", aws_access_key_id=FAKE_KEY,
                        aws_secret_access_key=FAKE_SECRET)
    with Stubber(made) as stubber:
        made.stubber = stubber
        yield made
        stubber.assert_no_pending_responses()


@pytest.fixture
def farm(tmp_path, client):
    apk = tmp_path / "app-release.apk"
    apk.write_bytes(b"apk")
    devices = tmp_path / "devices.yaml"
    devices.write_text(f"fleet:\n  platform: aws-device-farm\n  project_arn: {PROJECT}\n  device_pool_arn: {POOL}\n"
                       f"  region: us-west-2\n  apk: {apk}\n  poll_seconds: 5\n  run_timeout_minutes: 1\n")
    device = open_device("fleet", devices)
    puts: list[tuple[str, str, str]] = []
    artifacts: dict[str, bytes] = {}
    clock = [0.0]
    device._client = client
    device._session_options = {"put": lambda url, path, kind: puts.append((url, path.name, kind)),
                               "get": lambda url: artifacts[url], "sleep": lambda s: clock.__setitem__(0, clock[0] + s),
                               "clock": lambda: clock[0]}
    return device, puts, artifacts


def _cells(tmp_path: Path) -> list[FarmCell]:
    from harness.devices.android.app_build import flavor_for

    model, data = tmp_path / "model.tflite", tmp_path / "input_0.npy"
    model.write_bytes(b"model")
    data.write_bytes(b"input")
    return [FarmCell(request(cell, "litert", "model.tflite", "tflite", "0" * 64, "xnnpack", threads,
                             (input_file("input_0.npy", (1, 3, 8, 8)),), 1, 5, 0.0, 1.0),
                     {"model.tflite": model, "input_0.npy": data}, flavor_for("litert"))
            for cell, threads in zip(CELLS, (1, 2))]


def _expect_upload(client, name: str, kind: str, content_type: str, statuses=("PROCESSING", "SUCCEEDED"), reason=None):
    arn = _arn("upload", name)
    client.stubber.add_response("create_upload", {"upload": {"arn": arn, "name": name, "type": kind,
                                                             "status": "INITIALIZED", "url": f"https://put/{name}"}},
                                {"projectArn": PROJECT, "name": name, "type": kind, "contentType": content_type})
    for status in statuses:
        client.stubber.add_response("get_upload", {"upload": {"arn": arn, "status": status,
                                                              **({"metadata": reason} if reason else {})}}, {"arn": arn})


def _expect_uploads(client):
    _expect_upload(client, "app-release.apk", "ANDROID_APP", "application/vnd.android.package-archive")
    _expect_upload(client, "mobile-bench-cells.zip", "APPIUM_PYTHON_TEST_PACKAGE", "application/zip")
    _expect_upload(client, "mobile-bench.yml", "APPIUM_PYTHON_TEST_SPEC", "application/x-yaml")


def _expect_schedule(client):
    client.stubber.add_response("schedule_run", {"run": {"arn": RUN, "status": "SCHEDULING"}}, {
        "projectArn": PROJECT, "appArn": _arn("upload", "app-release.apk"), "devicePoolArn": POOL,
        "name": __import__("botocore.stub").stub.ANY,
        "test": {"type": "APPIUM_PYTHON", "testPackageArn": _arn("upload", "mobile-bench-cells.zip"),
                 "testSpecArn": _arn("upload", "mobile-bench.yml")},
        "executionConfiguration": {"jobTimeoutMinutes": 60}})


def _artifact_zip(files: dict[str, str]) -> bytes:
    """A customer-artifacts zip laid out as in golden/artifact_layout.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"Host_Machine_Files/$DEVICEFARM_LOG_DIR/results/{name}", text)
    return buffer.getvalue()


def _ok(cell: str, runtime: str = "litert", delegate: str = "xnnpack") -> str:
    return json.dumps(result(cell, "ok", None, {"name": "android-app", "version": "2"}, runtime, "2.3.0", delegate,
                             timing("monotonic", 1000, 2000, (3_000_000, 1_000_000))).to_json())


def _expect_jobs(client, artifacts, jobs: list[tuple[str, str, str | None, dict[str, str]]]):
    client.stubber.add_response("list_jobs", {"jobs": [
        {"arn": _arn("job", f"job-{i}"), "name": phone, "status": "COMPLETED", "result": outcome,
         **({"message": message} if message else {}), "device": {"name": phone, "os": "14"},
         "deviceMinutes": {"total": 3.5, "metered": 3.5, "unmetered": 0.0}}
        for i, (phone, outcome, message, _) in enumerate(jobs)]}, {"arn": RUN})
    for i, (_, _, _, files) in enumerate(jobs):
        url = f"https://get/job-{i}/customer.zip"
        artifacts[url] = _artifact_zip(files)
        client.stubber.add_response("list_artifacts", {"artifacts": [
            {"arn": _arn("artifact", f"log-{i}"), "name": "Logcat", "type": "DEVICE_LOG", "extension": "logcat",
             "url": f"https://get/job-{i}/logcat"},
            {"arn": _arn("artifact", f"out-{i}"), "name": "Customer Artifacts", "type": "CUSTOMER_ARTIFACT",
             "extension": "zip", "url": url}]}, {"arn": _arn("job", f"job-{i}"), "type": "FILE"})


def _expect_run_status(client, *statuses: str):
    for status in statuses:
        client.stubber.add_response("get_run", {"run": {"arn": RUN, "status": status, **(
            {"result": "PASSED", "deviceMinutes": {"total": 7.0, "metered": 7.0, "unmetered": 0.0}}
            if status == "COMPLETED" else {})}}, {"arn": RUN})


def test_upload_schedule_poll_download_turn_into_results_per_phone(farm, client, tmp_path):
    device, puts, artifacts = farm
    _expect_uploads(client)
    _expect_schedule(client)
    _expect_run_status(client, "SCHEDULING", "RUNNING", "COMPLETED")
    _expect_jobs(client, artifacts, [(phone, "PASSED", None, {f"{c}.json": _ok(c) for c in CELLS}) for phone in PHONES])
    run = device.run_batch(_cells(tmp_path), Launch(timeout_seconds=30), "run-1")
    assert [put[1] for put in puts] == ["app-release.apk", "mobile-bench-cells.zip", "mobile-bench.yml"]
    assert run.status == "COMPLETED" and run.device_minutes == 7.0 and not run.stopped
    assert [p.device_name for p in run.phones] == list(PHONES) and all(p.device_minutes == 3.5 for p in run.phones)
    assert all(sorted(p.results) == list(CELLS) and not p.errors and p.job_error is None for p in run.phones)
    assert run.phones[0].results[CELLS[1]].timing.samples_ns == (3_000_000, 1_000_000)


def test_a_failed_upload_stops_before_anything_is_scheduled(farm, client, tmp_path):
    device, _, _ = farm
    _expect_upload(client, "app-release.apk", "ANDROID_APP", "application/vnd.android.package-archive",
                   statuses=("FAILED",), reason='{"errorCode": "ANDROID_APP_AAPT_DEBUG_BADGING_FAILED"}')
    with pytest.raises(DeviceError, match="refused app-release.apk: .*AAPT_DEBUG_BADGING_FAILED"):
        device.run_batch(_cells(tmp_path), Launch(timeout_seconds=30), "run-1")


def test_a_job_erroring_on_one_phone_fails_only_that_phone_with_the_farms_text(farm, client, tmp_path):
    device, _, artifacts = farm
    _expect_uploads(client)
    _expect_schedule(client)
    _expect_run_status(client, "COMPLETED")
    _expect_jobs(client, artifacts, [
        (PHONES[0], "PASSED", None, {f"{c}.json": _ok(c) for c in CELLS}),
        (PHONES[1], "ERRORED", "The device was lost during the test.",
         {f"{CELLS[0]}.json": _ok(CELLS[0]), f"{CELLS[1]}.error": "no result within 30s\nE mobile-bench: crash"})])
    run = device.run_batch(_cells(tmp_path), Launch(timeout_seconds=30), "run-1")
    ok, lost = run.phones
    assert ok.job_error is None and sorted(ok.results) == list(CELLS)
    assert lost.job_error == "Device Farm job ERRORED: The device was lost during the test."
    assert list(lost.results) == [CELLS[0]] and lost.errors == {CELLS[1]: "no result within 30s\nE mobile-bench: crash"}


def test_past_the_timeout_the_run_is_stopped_and_what_ran_is_still_collected(farm, client, tmp_path):
    device, _, artifacts = farm
    _expect_uploads(client)
    _expect_schedule(client)
    _expect_run_status(client, *["RUNNING"] * 13)  # 13 polls of 5 s: the 1-minute timeout passes
    client.stubber.add_response("stop_run", {"run": {"arn": RUN, "status": "STOPPING"}}, {"arn": RUN})
    _expect_run_status(client, "STOPPING", "COMPLETED")
    _expect_jobs(client, artifacts, [(PHONES[0], "STOPPED", "Stopped by the user.", {f"{CELLS[0]}.json": _ok(CELLS[0])})])
    run = device.run_batch(_cells(tmp_path), Launch(timeout_seconds=30), "run-1")
    assert run.stopped and run.phones[0].job_error == "Device Farm job STOPPED: Stopped by the user."
    assert list(run.phones[0].results) == [CELLS[0]]


def test_the_test_spec_matches_its_golden_file():
    assert farm_test_spec(30) == (GOLDEN / "testspec.yml").read_text()


def test_the_test_package_layout_matches_its_golden_file(tmp_path):
    package = write_test_package(_cells(tmp_path), tmp_path / "package.zip")
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        script = archive.read("tests/run_cells.sh").decode()
        request_text = json.loads(archive.read(f"tests/cells/{CELLS[0]}/request.json"))
    assert "\n".join(names) + "\n" == (GOLDEN / "package_layout.txt").read_text()
    assert request_text["cell_id"] == CELLS[0] and request_text["model"]["path"] == "model.tflite"
    assert "am start -W -S" in script and '--es request "$remote/request.json"' in script


def test_the_artifact_layout_the_results_are_read_from_matches_its_golden_file():
    with zipfile.ZipFile(io.BytesIO(_artifact_zip({f"{CELLS[0]}.json": "{}", f"{CELLS[1]}.error": "x"}))) as archive:
        assert "\n".join(archive.namelist()) + "\n" == (GOLDEN / "artifact_layout.txt").read_text()


def test_a_farm_alias_is_validated_like_the_others(tmp_path):
    devices = tmp_path / "devices.yaml"
    devices.write_text(f"fleet:\n  platform: aws-device-farm\n  project_arn: {PROJECT}\n  device_pool_arn: not-an-arn\n")
    with pytest.raises(ConfigError, match="device_pool_arn"):
        open_device("fleet", devices)
    devices.write_text(f"fleet:\n  platform: aws-device-farm\n  project_arn: {PROJECT}\n  device_pool: {POOL}\n")
    with pytest.raises(ConfigError, match="device_pool"):
        open_device("fleet", devices)


def test_harness_bench_on_a_farm_alias_and_a_phone_rows_per_farm_phone_and_no_credential_anywhere(
        farm, client, tmp_path, write_matrix, monkeypatch):
    """run_bench with the farm beside another device: each farm phone's rows carry ALIAS/PHONE; the phone whose
    job errored fails only its own cells, with the farm's text; run.json records device minutes and names."""
    from harness import results
    from harness.config.matrix import load_matrix
    from harness.run.bench import run_bench
    from tests.run.test_bench import MATRIX, FakeCache
    from tests.run.test_fleet import NamedDevice

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    device, puts, artifacts = farm
    ran: dict[str, tuple[str, str]] = {}

    def put(url, path, kind):  # the package's requests are what the farm "runs"
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as package:
                for name in package.namelist():
                    if name.endswith("/request.json"):
                        sent = json.loads(package.read(name))
                        ran[sent["cell_id"]] = (sent["runtime"], sent["delegate"])

    def get(url):  # the first phone ran every cell; the second, one, before its job errored
        cells = sorted(ran) if url.endswith("job-0/customer.zip") else sorted(ran)[:1]
        return _artifact_zip({f"{c}.json": _ok(c, *ran[c]) for c in cells})

    device._session_options.update(put=put, get=get)
    _expect_uploads(client)
    _expect_schedule(client)
    _expect_run_status(client, "COMPLETED")
    _expect_jobs(client, {}, [(PHONES[0], "PASSED", None, {}), (PHONES[1], "ERRORED", "Device lost.", {})])
    matrix = load_matrix(write_matrix(MATRIX.replace("torchscript]", "torchscript]\nthreads: [1]")))
    summary = run_bench(matrix, [device, NamedDevice("a")], tmp_path / "results", FakeCache(tmp_path), run_id="run")
    rows = results.load(summary.run_dir)
    per_device = rows.groupby("device").status.apply(list).to_dict()
    assert set(per_device) == {"a", f"fleet/{PHONES[0]}", f"fleet/{PHONES[1]}"} and rows.cell_id.is_unique
    assert per_device[f"fleet/{PHONES[0]}"] == ["ok"] * 6 and set(per_device["a"]) == {"ok"}
    lost = rows[rows.device == f"fleet/{PHONES[1]}"]
    assert sorted(lost.status) == ["failed"] * 5 + ["ok"]
    assert set(lost[lost.status == "failed"].error) == {"Device Farm job ERRORED: Device lost."}
    farm_run = json.loads((summary.run_dir / "run.json").read_text())["farm_runs"]["fleet"]
    assert farm_run["device_minutes"] == 7.0 and [d["name"] for d in farm_run["devices"]] == list(PHONES)
    for path in summary.run_dir.rglob("*"):
        assert not path.is_file() or FAKE_SECRET.encode() not in path.read_bytes() and FAKE_KEY.encode() not in path.read_bytes()
