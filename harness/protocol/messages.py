"""Request and result messages. Their JSON is the wire format; their JSON Schema is schema/v2.json.

The schema file is generated from these models (`harness schema --protocol`) and committed for the
apps; a test fails when it is out of date. The harness validates every message through the models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from harness.errors import ProtocolError, UnknownNameError
from harness.models.spec import DTYPES
from harness.protocol.wire import PROTOCOL_VERSION, check, committed_schema, read_json
from harness.runtimes import RUNTIMES, all_runtimes
from harness.runtimes.choices import DELEGATES

DESCRIPTION = (
    "The harness writes a request file next to the model and input files; a shell (the host shell, the Android "
    "app, the iOS app) runs it and writes a result file. Paths in a request are relative to the request file's "
    "folder. Shells report raw measurements only; every statistic is computed by the harness. Version 2 (2026-11) "
    "adds timing.summary_ns and memory.pss_bytes / pss_peak_sampled_bytes, and later timing.warmup_ns, "
    "request.profile, result.operator_profile, measurement.warmup_seconds and timing.warmup_samples_ns, all optional.")


def _registered_runtime(name: str) -> str:
    try:
        RUNTIMES.require(name)
    except UnknownNameError as error:
        raise ValueError(str(error)) from None
    return name


def _registered_format(name: str) -> str:
    formats = sorted(r.format for r in all_runtimes())
    if name not in formats:
        raise ValueError(f"unknown model format {name!r} (known: {', '.join(formats)})")
    return name


RuntimeName = Annotated[str, AfterValidator(_registered_runtime), WithJsonSchema({"enum": RUNTIMES.names()})]
FormatName = Annotated[str, AfterValidator(_registered_format),
                       WithJsonSchema({"enum": sorted(r.format for r in all_runtimes())})]
DelegateName = Literal[DELEGATES]  # type: ignore[valid-type]
Count = Annotated[int, Field(ge=0)]


def _optional_on_the_wire(*names: str):
    """Fields a shell may leave out, though the harness's own messages always write them."""

    def edit(schema: dict[str, Any]) -> None:
        schema["required"] = [name for name in schema.get("required", []) if name not in names]

    return edit


class _Wire(BaseModel):
    # Fields with defaults are still required on the wire (serialization mode), unless listed as optional.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)


class InputFile(_Wire):
    path: str = Field(description="Raw little-endian, C-order tensor data.")
    shape: tuple[Annotated[int, Field(ge=1)], ...] = Field(min_length=1)
    dtype: Literal[DTYPES]  # type: ignore[valid-type]


class ModelFile(_Wire):
    path: str
    format: FormatName
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class MeasurementSettings(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("warmup_seconds"))
    warmup_runs: Count
    warmup_seconds: float = Field(0.0, ge=0, description=(
        "Warm-up continues until both warmup_runs and warmup_seconds are met, or until max_seconds of warm-up; "
        "shells that do not know it warm up by count."))
    min_iterations: int = Field(ge=1)
    min_seconds: float = Field(ge=0)
    max_seconds: float = Field(gt=0)


class Request(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("sustained_performance", "profile"))
    kind: Literal["request"] = "request"
    protocol_version: Literal[2] = 2
    cell_id: str = Field(min_length=1)
    runtime: RuntimeName
    model: ModelFile
    delegate: DelegateName
    threads: int = Field(ge=1)
    inputs: tuple[InputFile, ...]
    measurement: MeasurementSettings
    sustained_performance: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = Field(None, description=(
        "Android: ask the app for sustained-performance mode where the device supports it; the result's "
        "shell.sustained_performance says whether it applied. Other shells ignore it."))
    profile: Annotated[Literal["operators"] | None, WithJsonSchema({"enum": ["operators"]})] = Field(None, description=(
        "operators: instead of the timed loop, run the first inference, the warm-ups and min_iterations inferences "
        "under the runtime's own profiler, and report per-operator times in operator_profile. A profiled request "
        "is never a latency measurement."))

    def to_json(self) -> dict:
        unset = {name for name in ("sustained_performance", "profile") if getattr(self, name) is None}
        return self.model_dump(mode="json", exclude=unset)

    @classmethod
    def from_json(cls, message: dict) -> Request:
        return _validated(cls, message, "request")


_SUMMARY_SCHEMA = {"type": ["object", "null"], "additionalProperties": False, "required": ["mean"],
                   "properties": {key: {"type": "number", "minimum": 0}
                                  for key in ("count", "mean", "std", "min", "max", "median")}}
_SHELL_SCHEMA = {"type": "object", "required": ["name", "version"],
                 "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                                "platform": {"type": "string"}}}


class Timing(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("summary_ns", "warmup_ns", "warmup_samples_ns"))
    clock: str = Field(description="The monotonic clock used, e.g. time.monotonic_ns, System.nanoTime.")
    load_ns: Count | None = None
    first_inference_ns: Count | None = None
    warmup_ns: Count | None = Field(None, description="All warm-up runs together, between the first inference "
                                    "and the timed loop: where a repetition's time goes, not a latency.")
    warmup_samples_ns: tuple[Count, ...] = Field((), description=(
        "Each warm-up run's own time, in order: shows whether the warm-up was long enough (clocks raised)."))
    samples_ns: tuple[Count, ...] = Field((), description=(
        "One entry per timed iteration, in order; only the inference call is timed."))
    summary_ns: Annotated[dict[str, float] | None, WithJsonSchema(_SUMMARY_SCHEMA)] = Field(None, description=(
        "Only from tools that print summaries instead of per-iteration times (command-line benchmark tools); "
        "samples_ns is then empty. Shells that time each iteration leave it out."))


class Memory(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("pss_bytes", "pss_peak_sampled_bytes"))
    rss_before_load_bytes: Count | None = None
    rss_after_load_bytes: Count | None = None
    peak_rss_bytes: Count | None = Field(None, description=(
        "The kernel's high-water mark of resident memory for the shell process (VmHWM), read after the timed loop."))
    rss_peak_sampled_bytes: Count | None = Field(None, description=(
        "The largest resident size seen by sampling during the first inference and the warm-ups (not during the "
        "timed loop, which runs with no other thread)."))
    pss_bytes: Count | None = Field(None, description=(
        "Proportional set size of the shell process after the timed loop (Linux smaps_rollup; Android Debug.getPss)."))
    pss_peak_sampled_bytes: Count | None = Field(None, description=(
        "The largest PSS seen by sampling from outside the process while it ran (Android: dumpsys meminfo or "
        "smaps_rollup)."))


class OperatorTiming(_Wire):
    """One operator as a profiler saw it: one node of the graph, or (from summary-only tools) one table row."""

    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("samples_ns", "mean_ns"))
    name: str = Field(description="As the profiler names it: a node, a kernel, or a delegate's own operator.")
    type: str = Field(description="The operator's kind, e.g. CONV_2D, aten::conv2d, convolution.out.")
    ran_on: str = Field(description="A delegate's name, or the runtime's own kernels (builtin, portable, cpu).")
    calls: Count | None = Field(None, description="Calls per inference; null where the profiler does not say.")
    samples_ns: tuple[Count, ...] = Field((), description=(
        "One entry per profiled inference, in order: the time of all its calls in that inference."))
    mean_ns: Annotated[float | None, Field(ge=0)] = Field(None, description=(
        "Only from tools that print summaries: the mean time per inference; samples_ns is then empty."))


class OperatorProfile(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("inference_ns", "inference_mean_ns"))
    profiler: str = Field(description="Which profiler, e.g. ETDump, torch.autograd.profiler, benchmark_model.")
    inferences: Count = Field(description="How many inferences were profiled.")
    inference_ns: tuple[Count, ...] = Field((), description=(
        "The whole of each profiled inference, as the profiler timed it (its overhead included)."))
    inference_mean_ns: Annotated[float | None, Field(ge=0)] = Field(None, description=(
        "Only from tools that print summaries: the mean inference time; inference_ns is then empty."))
    operators: tuple[OperatorTiming, ...]


class RuntimeReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    version: str | None


class Result(_Wire):
    model_config = ConfigDict(json_schema_extra=_optional_on_the_wire("operator_profile"))
    kind: Literal["result"] = "result"
    protocol_version: Literal[2] = 2
    cell_id: str
    status: Literal["ok", "bad_request", "load_failed", "run_failed"] = Field(description=(
        "load_failed: the runtime could not load the model or apply the delegate; run_failed: an inference raised."))
    error: str | None
    shell: Annotated[dict[str, Any], WithJsonSchema(_SHELL_SCHEMA)]
    runtime: RuntimeReport
    delegate_applied: DelegateName | None = Field(None, description=(
        "What the runtime actually applied, which may differ from the request; null when loading failed."))
    timing: Timing
    memory: Memory = Memory()
    cpu_time_ns: Count | None = Field(None, description=(
        "CPU time the shell process used over its whole life (all threads); lets the harness tell its own work "
        "from other load on the device."))
    operator_profile: OperatorProfile | None = Field(None, description=(
        "Only in answer to a request with profile: operators."))

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        return self.model_dump(mode="json", exclude={"operator_profile"} if self.operator_profile is None else set())

    @classmethod
    def from_json(cls, message: dict) -> Result:
        return _validated(cls, message, "result")


def _validated(model: type[Request] | type[Result], message: Any, kind: str) -> Any:
    """A message of ``kind``: checked against the schema the apps follow, then read into its model."""
    check(message, kind)
    try:
        return model.model_validate(message)
    except ValidationError as invalid:  # what the schema cannot say
        first = invalid.errors()[0]
        where = "/".join(str(part) for part in first["loc"]) or "(top level)"
        raise ProtocolError(f"invalid {kind} at {where}: {first['msg']}") from None


def protocol_schema() -> dict:
    """The JSON Schema of both messages, as committed in schema/v2.json."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(Request, "serialization"), (Result, "serialization")])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"mobile-bench/protocol/v{PROTOCOL_VERSION}.json",
            "title": f"Benchmark shell protocol, version {PROTOCOL_VERSION}", "description": DESCRIPTION,
            "oneOf": [{"$ref": "#/$defs/Request"}, {"$ref": "#/$defs/Result"}], "$defs": top["$defs"]}


def schema() -> dict:
    """The committed schema file."""
    return committed_schema()


def read_request(path: Path) -> Request:
    return Request.from_json(read_json(path))


def read_result(path: Path) -> Result:
    return Result.from_json(read_json(path))
