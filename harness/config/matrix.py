"""Load a matrix file into plain frozen objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.config.input_files import calibration_problem, model_file_problem, weights_problem
from harness.config.matrix_schema import Cooldown, InputEntry, MatrixFile, Measurement, RuleEntry, UserModelEntry
from harness.config.yaml_source import YamlSource, read_yaml, validate
from harness.errors import ConfigError
from harness.models.spec import ModelSpec, TensorSpec
from harness.models.zoo import zoo_model
from harness.names import SAFE_NAME_RULE, is_safe_name
from harness.parity import DEFAULT_MIN_COSINE, DEFAULT_MIN_TOP1
from harness.registry import suggest
from harness.runtimes.choices import QuantizationOptions

# Measurement and Cooldown are the validated YAML entries themselves: frozen, with no twin here.
__all__ = ["AXES", "Cooldown", "Matrix", "Measurement", "ParityThresholds", "Rule", "load_matrix"]

AXES = ("model", "runtime", "quantization", "delegate", "threads", "execution_mode")
MAX_LABELS_BYTES = 1 << 20


@dataclass(frozen=True)
class Rule:
    """Axis values a cell must all match; axes left out match anything."""

    values: tuple[tuple[str, str | int], ...]

    def matches(self, cell_values: dict[str, str | int]) -> bool:
        return all(cell_values[axis] == value for axis, value in self.values)

    def get(self, axis: str) -> str | int | None:
        return dict(self.values).get(axis)


@dataclass(frozen=True)
class ParityThresholds:
    min_cosine: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_COSINE))
    min_top1: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_TOP1))


@dataclass(frozen=True)
class Matrix:
    name: str
    path: Path | None
    text: str  # the file as written, kept in the run's metadata
    models: tuple[ModelSpec, ...]
    runtimes: tuple[str, ...]
    quantizations: tuple[str, ...]
    delegates: tuple[str, ...]
    threads: tuple[int, ...]
    exclude: tuple[Rule, ...]
    include: tuple[Rule, ...]
    measurement: Measurement
    quantization_options: QuantizationOptions = QuantizationOptions()
    parity: ParityThresholds = ParityThresholds()
    execution_mode: str | None = None  # app or cli, on phones; native on the host; None: the device's own
    execution_modes: tuple[str, ...] = ()  # several host modes, each an axis value; (): the device's one mode
    profile: str | None = None  # "operators": a separate profiled process per cell, where the runtime offers one
    devices: tuple[str, ...] = ()  # aliases to run on when the command line names none; () : the host

    def model(self, name: str) -> ModelSpec:
        return next(m for m in self.models if m.name == name)


def load_matrix(path: str | Path) -> Matrix:
    source = read_yaml(Path(path))
    entry: MatrixFile = validate(source, MatrixFile)  # type: ignore[assignment]
    models = tuple(_model_spec(source, i, m) for i, m in enumerate(entry.models))
    model_names = [m.name for m in models]
    for key in ("exclude", "include"):
        for i, rule in enumerate(getattr(entry, key)):
            if rule.model is not None and rule.model not in model_names:
                hint = suggest(rule.model, model_names)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ConfigError(f"model {rule.model!r} is not in this matrix's models{did_you_mean}",
                                  file=str(source.path), line=source.line_of((key, i, "model")), key=f"{key}[{i}].model")
    name = entry.name or source.path.stem
    if not is_safe_name(name):
        raise ConfigError(f"the file name {name!r} cannot name runs: give `name:` ({SAFE_NAME_RULE})",
                          file=str(source.path), line=1, key="name")
    return Matrix(
        name=name,
        path=source.path,
        text=source.text,
        models=models,
        runtimes=tuple(entry.runtimes),
        quantizations=tuple(entry.quantization),
        delegates=tuple(entry.delegates),
        threads=tuple(entry.threads),
        exclude=tuple(_rule(r) for r in entry.exclude),
        include=tuple(_rule(r) for r in entry.include),
        measurement=entry.measurement,
        quantization_options=_quantization_options(source, entry),
        parity=ParityThresholds({**DEFAULT_MIN_COSINE, **entry.parity.min_cosine},
                                {**DEFAULT_MIN_TOP1, **entry.parity.min_top1_agreement}),
        execution_mode=entry.execution_mode,
        execution_modes=tuple(entry.execution_modes),
        profile=entry.profile,
        devices=tuple(entry.devices),
    )


def _quantization_options(source: YamlSource, entry: MatrixFile) -> QuantizationOptions:
    data = None
    if entry.calibration.data:
        data = (source.path.parent / entry.calibration.data).resolve()
        problem = calibration_problem(data) if data.exists() else "does not exist"
        if problem:
            raise ConfigError(f"{data} {problem}; expected an .npz file or a folder of .npy files",
                              file=str(source.path), line=source.line_of(("calibration", "data")), key="calibration.data")
    return QuantizationOptions(data, entry.calibration.samples, entry.int8_io)


def _rule(entry: RuleEntry) -> Rule:
    return Rule(tuple((axis, value) for axis, value in entry.model_dump().items() if value is not None))


def _model_spec(source: YamlSource, index: int, entry: str | UserModelEntry) -> ModelSpec:
    if isinstance(entry, str):
        return zoo_model(entry)
    base = source.path.parent

    def existing(key: str, value: str) -> Path:
        path = (base / value).resolve()
        if not path.is_file():
            problem: str | None = f"file not found: {path}"
        else:
            problem = FILE_CHECKS[key](path)
            problem = f"{path} {problem}" if problem else None
        if problem:
            raise ConfigError(problem, file=str(source.path),
                              line=source.line_of(("models", index, key)), key=f"models[{index}].{key}")
        return path

    return ModelSpec(
        name=entry.name,
        framework="file" if entry.file else entry.framework,
        source="user",
        inputs=tuple(_tensor_spec(i) for i in entry.inputs or ()),
        factory=entry.factory,
        file=existing("file", entry.file) if entry.file else None,
        weights=existing("weights", entry.weights) if entry.weights else None,
        description=entry.description,
        normalization=entry.normalization,
        output_meaning=entry.output_meaning,
        labels=_labels(existing("labels", entry.labels)) if entry.labels else (),
    )


def _labels_problem(path: Path) -> str | None:
    if path.stat().st_size > MAX_LABELS_BYTES:
        return f"is larger than {MAX_LABELS_BYTES // 1024} KiB; expected one class label per line"
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text; expected one class label per line"
    return None


FILE_CHECKS = {"file": model_file_problem, "weights": weights_problem, "labels": _labels_problem}


def _labels(path: Path) -> tuple[str, ...]:
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _tensor_spec(entry: list[int] | InputEntry) -> TensorSpec:
    if isinstance(entry, InputEntry):
        return TensorSpec(tuple(entry.shape), entry.dtype)
    return TensorSpec(tuple(entry))
