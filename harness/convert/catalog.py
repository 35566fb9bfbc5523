"""Which converter turns which model into what a runtime loads. Plain data: imports no framework."""

from __future__ import annotations

from dataclasses import dataclass

from harness.models.spec import ModelSpec
from harness.registry import Registry
from harness.runtimes import all_runtimes
from harness.runtimes.base import ConverterInfo, Runtime
from harness.runtimes.choices import QuantizationOptions

# A user's already converted file, for whichever runtime loads its format.
IMPORT = ConverterInfo("import", "file", (), "an already converted file, copied as it is",
                       "harness.convert.import_file:convert")
FRAMEWORK_TITLES = {"torch": "PyTorch", "keras": "Keras"}

# Per source framework: build(spec) -> model, and outputs(model, arrays) -> list of arrays.
SOURCE_BUILDERS: Registry = Registry("model framework")
SOURCE_BUILDERS.register("torch", "harness.convert.torch_model:build_torch_model")
SOURCE_BUILDERS.register("keras", "harness.convert.keras_model:build_keras_model")
SOURCE_RUNNERS: Registry = Registry("model framework")
SOURCE_RUNNERS.register("torch", "harness.convert.torch_model:torch_outputs")
SOURCE_RUNNERS.register("keras", "harness.convert.keras_model:keras_outputs")


def converter_info(name: str) -> ConverterInfo:
    converters = {IMPORT.name: IMPORT, **{c.name: c for r in all_runtimes() for c in r.converters}}
    return converters[name]


@dataclass(frozen=True)
class Conversion:
    """One artifact to produce: a model, a converter and every setting that changes the file."""

    model: ModelSpec
    converter: str
    format: str
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.settings)
        return f"{self.model.name} -> {self.format} ({self.converter}{', ' + extra if extra else ''})"


@dataclass(frozen=True)
class Refusal:
    """Why a cell cannot be converted, where the runtime itself could run it."""

    reason: str


def _no_converter(model: ModelSpec) -> str:
    offering = [(r.name, c) for r in all_runtimes() if (c := r.converter_for(model.framework))]
    title = FRAMEWORK_TITLES.get(model.framework, model.framework)
    names = " or ".join(name for name, _ in offering) or "no runtime"
    through = " or ".join(c.title or c.name for _, c in offering)
    return f"{model.name} is a {title} model; only {names} takes {title} models" + (f" (through {through})" if through else "")


def _imported(model: ModelSpec, runtime: Runtime, quantization: str) -> Conversion | Refusal:
    if model.file_format != runtime.format:
        return Refusal(f"{model.name} is a .{model.file_format} file; {runtime.name} loads .{runtime.format}")
    if quantization != "fp32":
        return Refusal(f"{model.name} is an already converted file; the harness does not quantize it (use fp32)")
    return Conversion(model, IMPORT.name, runtime.format)


def conversion_for(model: ModelSpec, runtime: Runtime, delegate: str, quantization: str,
                   options: QuantizationOptions = QuantizationOptions()) -> Conversion | Refusal:
    """The conversion a cell needs, or why the cell cannot run."""
    if model.framework == "file":
        return _imported(model, runtime, quantization)
    converter = runtime.converter_for(model.framework)
    if converter is None:
        return Refusal(_no_converter(model))
    reason = runtime.refusal(model, delegate, quantization)
    if reason:
        return Refusal(reason)
    settings = (("quantization", quantization), *runtime.conversion_settings(model, delegate, quantization, options))
    return Conversion(model, converter.name, runtime.format, settings)
