"""The iOS shell's golden files (ios-app/ShellCore/Tests/ShellCoreTests/Fixtures/): the Swift tests decode and
re-encode each one, and build the result files from a fake session; here each is checked against the committed
schema and read by the harness's own parser, so the two sides cannot drift apart unnoticed."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from harness.errors import ProtocolError
from harness.protocol import Request, Result
from harness.protocol.messages import schema
from harness.shell import host
from tests.conftest import REPO

FIXTURES = REPO / "ios-app/ShellCore/Tests/ShellCoreTests/Fixtures"
REQUESTS = sorted(FIXTURES.glob("request_*.json"))
RESULTS = sorted(FIXTURES.glob("result_*.json"))
STATUSES = {"ok", "bad_request", "load_failed", "run_failed"}


def _load(path):
    return json.loads(path.read_text())


def test_every_status_has_a_golden_result():
    assert {_load(path)["status"] for path in RESULTS} == STATUSES
    assert len(REQUESTS) >= 3


@pytest.mark.parametrize("path", REQUESTS + RESULTS, ids=lambda p: p.stem)
def test_each_fixture_follows_the_committed_schema(path):
    jsonschema.Draft202012Validator(schema()).validate(_load(path))


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.stem)
def test_the_harness_reads_each_request(path):
    message = _load(path)
    request = Request.from_json(message)
    assert request.cell_id == message["cell_id"]
    assert request.measurement.warmup_seconds == message["measurement"].get("warmup_seconds", 0.0)


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.stem)
def test_the_harness_reads_each_result(path):
    message = _load(path)
    result = Result.from_json(message)
    assert result.status == message["status"]
    assert result.ok == (result.error is None)
    assert (result.delegate_applied is not None) == result.ok


def test_every_fixture_the_swift_tests_name_exists():
    swift = "\n".join(p.read_text() for p in (FIXTURES.parent).glob("*.swift"))
    named = set(re.findall(r'"((?:request|result)_[a-z_]+\.json)"', swift))
    assert named == {p.name for p in REQUESTS + RESULTS}


def test_a_result_that_says_it_fell_back_is_refused():
    """Delegates are reported as applied: a joined or invented name does not pass the harness's check."""
    message = _load(FIXTURES / "result_ok.json")
    with pytest.raises(ProtocolError):
        Result.from_json({**message, "delegate_applied": "coreml+cpu"})


@pytest.mark.parametrize("edit", [{"extra": True}, {"measurement": {"warmup_secs": 1}}], ids=["top", "measurement"])
def test_a_key_the_schema_does_not_name_is_refused_as_the_swift_shell_refuses_it(edit, tmp_path):
    """ProtocolTests and BenchTests send the same requests to the Swift shell, which answers bad_request."""
    message = _load(FIXTURES / "request_ok.json")
    edited = {**message, **{key: {**message[key], **value} if isinstance(value, dict) else value
                            for key, value in edit.items()}}
    with pytest.raises(ProtocolError):
        Request.from_json(edited)
    (tmp_path / "request.json").write_text(json.dumps(edited))
    assert host.main([str(tmp_path / "request.json"), str(tmp_path / "result.json")]) == 0
    result = _load(tmp_path / "result.json")
    assert (result["status"], result["cell_id"]) == ("bad_request", "unknown")
