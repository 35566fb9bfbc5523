"""Which converter turns which model into what each runtime loads. Plain data: imports no framework."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.models.spec import ModelSpec
from harness.registry import Registry
from harness.runtimes.catalog import CALIBRATED, RuntimeInfo


@dataclass(frozen=True)
class ConverterInfo:
    name: str
    framework: str
    format: str
    packages: tuple[str, ...]  # distributions whose versions change the output
    description: str


CONVERTERS: dict[str, ConverterInfo] = {
    info.name: info
    for info in (
        ConverterInfo("executorch", "torch", "pte", ("torch", "executorch"),
                      "torch.export, then to_edge_transform_and_lower (XNNPACK partitioner, or none: portable)"),
        ConverterInfo("torchscript_lite", "torch", "ptl", ("torch",),
                      "torch.jit.trace, then _save_for_lite_interpreter"),
        ConverterInfo("litert_torch", "torch", "tflite", ("torch", "litert-torch", "ai-edge-litert", "litert-converter"),
                      "litert_torch.convert"),
        ConverterInfo("keras_tflite", "keras", "tflite", ("tensorflow-cpu", "keras"),
                      "tf.lite.TFLiteConverter.from_keras_model"),
        ConverterInfo("import", "file", "", (), "an already converted file, copied as it is"),
    )
}

@dataclass(frozen=True)
class Converted:
    """What a converter function reports besides the file it wrote."""

    notes: tuple[str, ...] = ()
    delegation: dict | None = None  # node counts from the lowering, where the converter sees them


# Converter functions convert(spec, model, settings, output) -> Converted, imported only inside a worker.
CONVERTER_FUNCTIONS: Registry = Registry("converter")
CONVERTER_FUNCTIONS.register("executorch", "harness.convert.to_executorch:convert")
CONVERTER_FUNCTIONS.register("torchscript_lite", "harness.convert.to_torchscript:convert")
CONVERTER_FUNCTIONS.register("litert_torch", "harness.convert.to_litert:convert_torch")
CONVERTER_FUNCTIONS.register("keras_tflite", "harness.convert.to_litert:convert_keras")
CONVERTER_FUNCTIONS.register("import", "harness.convert.import_file:convert")

# Per source framework: build(spec) -> model, and outputs(model, arrays) -> list of arrays.
SOURCE_BUILDERS: Registry = Registry("model framework")
SOURCE_BUILDERS.register("torch", "harness.convert.torch_model:build_torch_model")
SOURCE_BUILDERS.register("keras", "harness.convert.keras_model:build_keras_model")
SOURCE_RUNNERS: Registry = Registry("model framework")
SOURCE_RUNNERS.register("torch", "harness.convert.torch_model:torch_outputs")
SOURCE_RUNNERS.register("keras", "harness.convert.keras_model:keras_outputs")

_TORCH_CONVERTER = {"pte": "executorch", "ptl": "torchscript_lite", "tflite": "litert_torch"}


@dataclass(frozen=True)
class QuantizationOptions:
    """Matrix-wide settings for the quantized variants."""

    calibration_data: Path | None = None  # an .npz file or a folder of .npy files; None: seeded synthetic inputs
    calibration_samples: int = 32
    int8_io: str = "float"  # full-int8 TFLite from Keras: float or int8 model inputs and outputs


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


def _quantization_reason(model: ModelSpec, runtime: RuntimeInfo, delegate: str, quantization: str) -> str | None:
    """Why this toolchain cannot produce this variant, where the runtime could run it."""
    if model.framework == "keras" and quantization == "int8_per_tensor":
        return "TensorFlow's converter quantizes weights per channel; int8_per_tensor is offered for torch models"
    if model.framework == "torch" and runtime.name == "litert" and quantization == "fp16":
        return "litert-torch has no fp16-weight path in the harness; fp16 is offered for Keras models"
    if runtime.name == "executorch" and quantization in CALIBRATED and delegate == "none":
        return ("ExecuTorch's portable operators in this build have no quantize/dequantize kernels; "
                "8-bit programs need the XNNPACK delegate")
    return None


def _settings(model: ModelSpec, runtime: RuntimeInfo, delegate: str, quantization: str,
              options: QuantizationOptions) -> tuple[tuple[str, str], ...]:
    settings = (("quantization", quantization),)
    if runtime.name == "executorch":
        settings += (("delegate", delegate),)
    if quantization in CALIBRATED:
        data = str(options.calibration_data) if options.calibration_data else "synthetic"
        settings += (("calibration_data", data), ("calibration_samples", str(options.calibration_samples)))
        if model.framework == "keras":
            settings += (("int8_io", options.int8_io),)
    return settings


def conversion_for(model: ModelSpec, runtime: RuntimeInfo, delegate: str, quantization: str,
                   options: QuantizationOptions = QuantizationOptions()) -> Conversion | str:
    """The conversion a cell needs, or the reason the cell cannot run."""
    if model.framework == "file":
        if model.file_format != runtime.format:
            return f"{model.name} is a .{model.file_format} file; {runtime.name} loads .{runtime.format}"
        if quantization != "fp32":
            return f"{model.name} is an already converted file; the harness does not quantize it (use fp32)"
        return Conversion(model, "import", runtime.format)
    if model.framework == "keras" and runtime.format != "tflite":
        return f"{model.name} is a Keras model; only litert takes Keras models (through the TFLite converter)"
    if runtime.name == "executorch" and delegate not in ("xnnpack", "none"):
        return f"the harness cannot lower to the ExecuTorch {delegate} backend yet"
    reason = _quantization_reason(model, runtime, delegate, quantization)
    if reason:
        return reason
    converter = "keras_tflite" if model.framework == "keras" else _TORCH_CONVERTER[runtime.format]
    return Conversion(model, converter, runtime.format, _settings(model, runtime, delegate, quantization, options))
