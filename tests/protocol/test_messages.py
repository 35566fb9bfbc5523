from __future__ import annotations

import json

import pytest

from harness.errors import ProtocolError
from harness.protocol import InputFile, Memory, Request, Result, Timing, read_request, write_json_atomic
from harness.protocol.messages import schema, validate

REQUEST = Request("abc", "litert", "model.tflite", "tflite", "0" * 64, "xnnpack", 2,
                  (InputFile("input0.bin", (1, 3, 8, 8), "float32"),), 1, 5, 0.1, 1.0)


def test_request_round_trips_through_the_schema(tmp_path):
    write_json_atomic(tmp_path / "request.json", REQUEST.to_json())
    assert read_request(tmp_path / "request.json") == REQUEST


def test_result_round_trips():
    result = Result("abc", "ok", None, {"name": "host-python", "version": "0"}, "litert", "2.3.0", "xnnpack",
                    Timing("time.monotonic_ns", 10, 20, (1, 2, 3)), Memory(1, 2, 3))
    assert Result.from_json(json.loads(json.dumps(result.to_json()))) == result


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(protocol_version=1), "unsupported protocol_version 1"),
    (lambda m: m.update(kind="result"), "expected a request"),
    (lambda m: m.update(threads=0), "invalid request at threads"),
    (lambda m: m.update(delegate="turbo"), "invalid request at delegate"),
    (lambda m: m["model"].update(sha256="nothex"), "invalid request at model/sha256"),
    (lambda m: m.update(surprise=1), "Additional properties"),
    (lambda m: m.pop("measurement"), "'measurement' is a required property"),
])
def test_invalid_requests_are_refused_with_the_place(change, message):
    data = REQUEST.to_json()
    change(data)
    with pytest.raises(ProtocolError, match=message):
        Request.from_json(data)


def test_result_without_samples_field_is_refused():
    data = Result("abc", "ok", None, {"name": "x", "version": "0"}, "litert", None, None, Timing("c")).to_json()
    del data["timing"]["samples_ns"]
    with pytest.raises(ProtocolError, match="samples_ns"):
        validate(data, "result")


def test_schema_lists_every_runtime_delegate_and_dtype_the_harness_knows():
    from harness.models.spec import DTYPES
    from harness.runtimes.catalog import DELEGATES, RUNTIMES

    definitions = schema()["$defs"]
    assert set(definitions["runtime_name"]["enum"]) == set(RUNTIMES)
    assert set(definitions["delegate_name"]["enum"]) == set(DELEGATES)
    assert set(definitions["tensor"]["properties"]["dtype"]["enum"]) == set(DTYPES)


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"x": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
