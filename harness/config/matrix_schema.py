"""The experiment matrix as written in YAML. pydantic lives here and nowhere inside the harness."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, WithJsonSchema, model_validator

from harness.errors import UnknownNameError
from harness.models.spec import DTYPES
from harness.models.zoo import ZOO, zoo_model
from harness.names import SAFE_NAME
from harness.runtimes import RUNTIMES, all_runtimes
from harness.runtimes.choices import DELEGATES, QUANTIZATIONS, check_delegate, check_quantization


def _as_value_error(check):
    def validator(value):
        try:
            check(value)
        except UnknownNameError as error:
            raise ValueError(str(error)) from None
        return value

    return validator


def _name(check, known) -> object:
    return Annotated[str, AfterValidator(_as_value_error(check)), WithJsonSchema({"type": "string", "enum": sorted(known)})]


ZooModelName = _name(zoo_model, ZOO)
RuntimeName = _name(RUNTIMES.require, RUNTIMES.names())
DelegateName = _name(check_delegate, DELEGATES)
QuantizationName = _name(check_quantization, QUANTIZATIONS)


def _check_file(file: str, has_inputs: bool) -> None:
    runtimes = {r.suffix: r for r in all_runtimes()}
    suffix = next((s for s in runtimes if file.endswith(s)), None)
    if suffix is None:
        names = list(runtimes)
        raise ValueError(f"'file' must end in {', '.join(names[:-1])} or {names[-1]}")
    if not runtimes[suffix].file_records_inputs and not has_inputs:
        raise ValueError(f"a {suffix} file does not record its input shapes; give 'inputs'")


def _by_type(scalar_tag: str, mapping_tag: str):
    """Validate against one union member chosen by YAML type, so errors speak of that member only."""
    return Discriminator(lambda value: mapping_tag if isinstance(value, dict) else scalar_tag)


# Documented ranges (docs/matrix.md): numbers outside them are typing mistakes, not experiments.
MAX_THREADS = 256  # and at most the device's CPU count: the planner skips cells above it
MAX_SECONDS = 24 * 3600.0  # any time limit
MAX_COUNT = 1_000_000  # warm-up runs, iterations
MAX_REPETITIONS = 1000
Threads = Annotated[int, Field(ge=1, le=MAX_THREADS)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
HostMode = Literal["process", "native"]  # the host's shells: Python, or the runtimes' C++ runners


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


MAX_DIMENSION = 1 << 20
MAX_INPUT_ELEMENTS = 1 << 28  # 1 GiB of float32 per input
Dimensions = Annotated[list[Annotated[int, Field(ge=1, le=MAX_DIMENSION)]], Field(min_length=1, max_length=8)]


def _check_elements(shape: list[int]) -> list[int]:
    elements = 1
    for size in shape:
        elements *= size
    if elements > MAX_INPUT_ELEMENTS:
        raise ValueError(f"an input of {elements} elements is larger than the limit of {MAX_INPUT_ELEMENTS}")
    return shape


Shape = Annotated[Dimensions, AfterValidator(_check_elements)]


class InputEntry(_Strict):
    shape: Shape
    dtype: Literal[DTYPES] = "float32"  # type: ignore[valid-type]


class UserModelEntry(_Strict):
    """A model of your own: a factory to import, or a file already converted."""

    name: str = Field(pattern=SAFE_NAME, description="Identifies the model in results.")
    factory: str | None = Field(None, pattern=r"^[\w.]+:[\w.]+$", description="'package.module:callable' returning the model.")
    framework: Literal["torch", "keras"] = "torch"
    file: str | None = Field(None, description="A .tflite, .pte or .ptl file; relative paths are from the matrix file.")
    inputs: list[Annotated[
        Annotated[Shape, Tag("Shape")]
        | Annotated[InputEntry, Tag("InputEntry")],
        _by_type("Shape", "InputEntry"),
    ]] | None = Field(
        None, description="Example input shapes, e.g. [[1, 3, 224, 224]]. Required for factories and .ptl files; "
                          ".tflite and .pte files record their own, which must then agree.")
    weights: str | None = Field(None, description="A torch state dict, loaded with torch.load(weights_only=True).")
    description: str = Field("", description="Written into the converted file's metadata.")
    normalization: str = Field("", description="How inputs are prepared, e.g. 'RGB, (x/255 - mean) / std'; metadata.")
    output_meaning: str = Field("", description="What the outputs are, e.g. 'logits over 1000 classes'; metadata.")
    labels: str | None = Field(None, description="A text file with one class label per line, embedded as metadata.")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.factory is None) == (self.file is None):
            raise ValueError("give exactly one of 'factory' or 'file'")
        if self.factory and not self.inputs:
            raise ValueError("a factory model needs 'inputs' (example input shapes)")
        if self.file:
            _check_file(self.file, bool(self.inputs))
        if self.weights and (self.file or self.framework != "torch"):
            raise ValueError("'weights' applies only to torch factory models")
        return self


class RuleEntry(_Strict):
    """Matches cells by any subset of the axes."""

    model: str | None = None
    runtime: RuntimeName | None = None  # type: ignore[valid-type]
    quantization: QuantizationName | None = None  # type: ignore[valid-type]
    delegate: DelegateName | None = None  # type: ignore[valid-type]
    threads: Threads | None = None
    execution_mode: HostMode | None = None

    @model_validator(mode="after")
    def _not_empty(self):
        if not self.model_dump(exclude_none=True):
            raise ValueError("a rule must name at least one axis")
        return self


class Cooldown(_Strict):
    """Before each repetition, wait until the device is idle and cool enough, or until the timeout."""

    max_cpu_busy: float = Field(0.25, gt=0, le=1, description="Share of all CPUs busy with other work.")
    max_temperature_c: float = Field(60.0, ge=0, le=150, description="Hottest thermal zone, where the device exposes one.")
    timeout_seconds: Seconds = Field(60.0, description="Run anyway after this long; the row records the wait.")
    poll_seconds: float = Field(0.25, gt=0, le=60, description="CPU use is measured over one poll interval.")


class Measurement(_Strict):
    warmup_runs: int = Field(3, ge=0, le=MAX_COUNT, description="Untimed runs after the first inference...")
    warmup_seconds: Seconds = Field(0.0, description=(
        "...continuing until both warm-up minimums are met (phones need seconds to raise their clocks), "
        "or until max_seconds of warm-up. Each warm-up run's time is recorded."))
    min_iterations: int = Field(10, ge=1, le=MAX_COUNT, description="Timed runs continue until both minimums are met...")
    min_seconds: Seconds = Field(0.5, description="...and stop at max_seconds whatever the count.")
    max_seconds: float = Field(10.0, gt=0, le=MAX_SECONDS)
    repetitions: int = Field(5, ge=1, le=MAX_REPETITIONS, description=(
        "Fresh shell processes per cell, at least. The median's 95% interval comes from the repetition "
        "medians, so it needs two or more; five make it cover about 95% here (benchmarks/interval_coverage.py)."))
    max_repetitions: int = Field(10, ge=1, le=MAX_REPETITIONS, description=(
        "More repetitions are added, up to this many, while the median is known too loosely and this many "
        "could still bring it within max_relative_error."))
    max_relative_error: float = Field(0.015, gt=0, le=1, description=(
        "Standard error of the repetition medians (from their logs; 0.015 is about 1.5%); above it a cell is "
        "extended, then flagged unstable. A cell whose error max_repetitions could not bring under it (allowing "
        "the spread to be 1.5 times smaller than it looks) stops at once, flagged."))
    order: Literal["shuffled", "interleaved", "as_listed"] = Field(
        "interleaved", description=(
            "interleaved: one repetition of every unfinished cell per round, so drift over the run falls on every "
            "cell alike; shuffled: each cell's repetitions back to back, cells in a seeded random order."))
    seed: int = Field(0, ge=0, lt=2**32, description="Seeds the cell order.")
    cpu_affinity: tuple[Annotated[int, Field(ge=0, lt=4096)], ...] | None = Field(
        None, min_length=1, description="Pin the shell to these CPUs.")
    busy_warning: float = Field(
        0.10, gt=0, le=1, description="Warn when other work used more than this share of the CPUs during a cell.")
    cell_timeout_seconds: float = Field(300.0, gt=0, le=MAX_SECONDS, description=(
        "A shell process running longer is killed; must exceed max_seconds."))
    shell_start: Literal["spawn", "fork"] = Field("spawn", description=(
        "How the host starts each repetition's fresh shell process: spawned as a new interpreter, or forked "
        "from a server that imported the runtime once. Forking starts seconds sooner but measured up to 13% "
        "slower and heavier on memory (docs/wall-budget.md): for quick looks, not for numbers to compare."))
    cooldown: Cooldown = Cooldown()

    @model_validator(mode="before")
    @classmethod
    def _no_max_spread(cls, data):
        if isinstance(data, dict) and "max_spread" in data:
            raise ValueError("max_spread is replaced by max_relative_error (the standard error of the repetition "
                             "medians, e.g. 0.015): the range of the medians grows with their number")
        return data

    @model_validator(mode="after")
    def _ordered(self):
        if self.max_seconds < self.min_seconds:
            raise ValueError("max_seconds must not be less than min_seconds")
        if self.max_repetitions < self.repetitions:
            raise ValueError("max_repetitions must not be less than repetitions")
        if self.cell_timeout_seconds <= self.max_seconds:
            raise ValueError("cell_timeout_seconds must be greater than max_seconds")
        return self


class CalibrationEntry(_Strict):
    """Sample inputs for int8 and int8_per_tensor. Without `data`, seeded synthetic inputs are used."""

    data: str | None = Field(None, description=(
        "An .npz file with one array per model input, samples along the first axis (sample i is array[i:i+1]), "
        "or a folder of .npy files, each one sample of a single-input model. Relative to the matrix file."))
    samples: int = Field(32, ge=1, le=100_000, description="How many samples to calibrate on.")


class ParityEntry(_Strict):
    """Thresholds below which a cell's parity with the source model is flagged in `warnings` and `parity_flagged`."""

    min_cosine: dict[QuantizationName, Annotated[float, Field(ge=-1, le=1)]] = Field(  # type: ignore[valid-type]
        {}, description="Worst-sample cosine similarity, per variant; unlisted variants keep the defaults.")
    min_top1_agreement: dict[QuantizationName, Annotated[float, Field(ge=0, le=1)]] = Field(  # type: ignore[valid-type]
        {}, description="Share of samples with the same top-1 class, per variant, for classifier outputs.")


class MatrixFile(_Strict):
    """An experiment matrix: the product of the axes, minus `exclude`, plus `include`."""

    name: str | None = Field(None, pattern=SAFE_NAME, description=(
        "Part of the run id, so of folder names: a letter or digit, then letters, digits, '_', '.' or '-'. "
        "Defaults to the file name."))
    description: str = ""
    models: list[Annotated[
        Annotated[ZooModelName, Tag("ZooModel")]  # type: ignore[valid-type]
        | Annotated[UserModelEntry, Tag("UserModelEntry")],
        _by_type("ZooModel", "UserModelEntry"),
    ]] = Field(min_length=1, description="Zoo model names, or mappings describing your own models.")
    runtimes: list[RuntimeName] = Field(min_length=1)  # type: ignore[valid-type]
    quantization: list[QuantizationName] = Field(["fp32"], min_length=1)  # type: ignore[valid-type]
    delegates: list[DelegateName] = Field(["xnnpack"], min_length=1)  # type: ignore[valid-type]
    threads: list[Threads] = Field([1], min_length=1, description=(
        f"At most {MAX_THREADS}; cells with more threads than the device has CPUs are skipped."))
    exclude: list[RuleEntry] = Field([], description="Cells matching any rule are removed.")
    include: list[RuleEntry] = Field(
        [], description="Each rule adds the cells it matches in the full product of the axes and listed values.")
    measurement: Measurement = Measurement()
    calibration: CalibrationEntry = CalibrationEntry()
    parity: ParityEntry = ParityEntry()
    int8_io: Literal["float", "int8"] = Field(
        "float", description="Full-int8 TFLite from Keras: keep float inputs and outputs, or make them int8 too.")
    execution_mode: Literal["app", "cli", "native"] | None = Field(
        None, description="On phones: run cells in the project's app or with the runtimes' own command-line tools. "
                          "Default: the device's `mode`. `--mode` on the command line overrides both. On the host, "
                          "native runs ExecuTorch and lite-interpreter cells in their C++ runners (native/) instead "
                          "of the Python shell, and skips LiteRT's; app and cli are ignored there.")
    execution_modes: list[HostMode] = Field([], description=(
        "On the host, run each cell in each of these shells: process (the Python shell) and native (the C++ "
        "runners, ExecuTorch and the lite interpreter), interleaved in the same rounds, so the same cell is "
        "measured with and without Python in the loop. Rules can name `execution_mode`. Cells of a runtime a "
        "mode cannot run are skipped rows; a phone runs each cell once, in its own mode. Default: the device's "
        "own mode."))
    devices: list[Annotated[str, Field(min_length=1)]] = Field(
        [], description="Device aliases (configs/devices.yaml) to run the matrix on, each one cell at a time and the "
                        "devices at once; `--device a,b` on the command line overrides it. Default: host.")
    profile: Literal["operators"] | None = Field(
        None, description="operators: after a cell's timed repetitions, one more process runs it under the runtime's "
                          "own profiler and writes per-operator rows (results/<run-id>/operators/); its times never "
                          "enter the latency columns. Runtimes without a profiler on the device are left out.")

    @model_validator(mode="after")
    def _one_way_to_name_the_mode(self):
        if self.execution_modes and self.execution_mode:
            raise ValueError("give execution_mode (the device's one mode) or execution_modes (several on the host), "
                             "not both")
        if len(set(self.execution_modes)) != len(self.execution_modes):
            raise ValueError("execution_modes lists a mode twice")
        return self

    @model_validator(mode="after")
    def _unique_model_names(self):
        names = [m if isinstance(m, str) else m.name for m in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"model names must be unique; repeated: {', '.join(duplicates)}")
        return self
