from __future__ import annotations

import json

import jsonschema
import pytest

from harness.errors import ProtocolError
from harness.files import write_json_atomic
from harness.protocol import (
    InputFile,
    MeasurementSettings,
    Memory,
    ModelFile,
    Request,
    Result,
    RuntimeReport,
    Timing,
    read_request,
)
from harness.protocol.messages import Result as ResultModel
from harness.protocol.messages import protocol_schema, schema

REQUEST = Request(cell_id="abc", runtime="litert", model=ModelFile(path="model.tflite", format="tflite", sha256="0" * 64),
                  delegate="xnnpack", threads=2,
                  inputs=(InputFile(path="input0.bin", shape=(1, 3, 8, 8), dtype="float32"),),
                  measurement=MeasurementSettings(warmup_runs=1, min_iterations=5, min_seconds=0.1, max_seconds=1.0))


def _result(**changes) -> Result:
    fields = dict(cell_id="abc", status="ok", error=None, shell={"name": "host-python", "version": "0"},
                  runtime=RuntimeReport(name="litert", version="2.3.0"), delegate_applied="xnnpack",
                  timing=Timing(clock="time.monotonic_ns", load_ns=10, first_inference_ns=20, samples_ns=(1, 2, 3)),
                  memory=Memory(rss_before_load_bytes=1, rss_after_load_bytes=2, peak_rss_bytes=3))
    return ResultModel(**{**fields, **changes})


def test_request_round_trips_through_a_file(tmp_path):
    write_json_atomic(tmp_path / "request.json", REQUEST.to_json())
    assert read_request(tmp_path / "request.json") == REQUEST


def test_the_wire_format_is_what_the_apps_read():
    assert REQUEST.to_json() == {
        "kind": "request", "protocol_version": 2, "cell_id": "abc", "runtime": "litert",
        "model": {"path": "model.tflite", "format": "tflite", "sha256": "0" * 64}, "delegate": "xnnpack", "threads": 2,
        "inputs": [{"path": "input0.bin", "shape": [1, 3, 8, 8], "dtype": "float32"}],
        "measurement": {"warmup_runs": 1, "warmup_seconds": 0.0, "min_iterations": 5, "min_seconds": 0.1,
                        "max_seconds": 1.0}}
    assert set(_result().to_json()) == {"kind", "protocol_version", "cell_id", "status", "error", "shell", "runtime",
                                        "delegate_applied", "timing", "memory", "cpu_time_ns"}


def test_result_round_trips():
    result = _result()
    assert Result.from_json(json.loads(json.dumps(result.to_json()))) == result


def test_messages_the_harness_writes_follow_the_committed_schema():
    validator = jsonschema.Draft202012Validator(schema())
    validator.validate(REQUEST.to_json())
    validator.validate({**REQUEST.to_json(), "sustained_performance": True})
    validator.validate(_result().to_json())
    summary_only = _result(timing=Timing(clock="tool", summary_ns={"count": 5.0, "mean": 1e6}))
    validator.validate(summary_only.to_json())


def test_the_committed_schema_is_generated_from_the_models():
    """`harness schema --protocol --output harness/protocol/schema/v2.json` brings it up to date."""
    assert schema() == json.loads(json.dumps(protocol_schema()))


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(protocol_version=1), "unsupported protocol_version 1"),
    (lambda m: m.update(kind="result"), "expected a request"),
    (lambda m: m.update(threads=0), "invalid request at threads"),
    (lambda m: m.update(delegate="turbo"), "invalid request at delegate"),
    (lambda m: m.update(runtime="turbo"), "invalid request at runtime"),
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
    data = _result().to_json()
    del data["timing"]["samples_ns"]
    with pytest.raises(ProtocolError, match="samples_ns"):
        Result.from_json(data)


def test_schema_lists_every_runtime_delegate_and_dtype_the_harness_knows():
    from harness.models.spec import DTYPES
    from harness.runtimes import RUNTIMES
    from harness.runtimes.choices import DELEGATES

    definitions = schema()["$defs"]
    assert set(definitions["Request"]["properties"]["runtime"]["enum"]) == set(RUNTIMES.names())
    assert set(definitions["Request"]["properties"]["delegate"]["enum"]) == set(DELEGATES)
    assert set(definitions["InputFile"]["properties"]["dtype"]["enum"]) == set(DTYPES)


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"x": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_profile_request_and_its_result_follow_the_committed_schema():
    from harness.protocol import OperatorProfile

    validator = jsonschema.Draft202012Validator(schema())
    asked = REQUEST.model_copy(update={"profile": "operators"})
    validator.validate(asked.to_json())
    assert Request.from_json(asked.to_json()).profile == "operators" and "profile" not in REQUEST.to_json()
    profile = OperatorProfile(profiler="p", inferences=2, inference_ns=(10, 12), operators=(
        {"name": "conv", "type": "CONV_2D", "ran_on": "xnnpack", "calls": 1, "samples_ns": (8, 9)},))
    answered = _result(timing=Timing(clock="c"), operator_profile=profile)
    validator.validate(answered.to_json())
    assert Result.from_json(json.loads(json.dumps(answered.to_json()))) == answered
