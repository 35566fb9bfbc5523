"""LiteRT (TensorFlow Lite): .tflite files from torch (litert-torch) and Keras (the TFLite converter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.runtimes.base import ConverterInfo, Runtime
from harness.runtimes.choices import QUANTIZATIONS, QuantizationOptions, calibration_settings

if TYPE_CHECKING:  # the descriptor stays light: shells read it before they measure
    from harness.models.spec import ModelSpec

_HERE = "harness.runtimes.litert"


def _refusal(model: ModelSpec, delegate: str, quantization: str) -> str | None:
    if model.framework == "keras" and quantization == "int8_per_tensor":
        return "TensorFlow's converter quantizes weights per channel; int8_per_tensor is offered for torch models"
    if model.framework == "torch" and quantization == "fp16":
        return "litert-torch has no fp16-weight path in the harness; fp16 is offered for Keras models"
    return None


def _settings(model: ModelSpec, delegate: str, quantization: str,
              options: QuantizationOptions) -> tuple[tuple[str, str], ...]:
    settings = calibration_settings(quantization, options)
    if settings and model.framework == "keras":
        settings += (("int8_io", options.int8_io),)
    return settings


RUNTIME = Runtime(
    name="litert", format="tflite", description="LiteRT (TensorFlow Lite) interpreter",
    packages=("ai-edge-litert",),
    delegates=("xnnpack", "none", "gpu", "nnapi", "coreml", "metal"), host_delegates=("xnnpack", "none"),
    quantizations=QUANTIZATIONS,
    converters=(
        ConverterInfo("litert_torch", "torch", ("torch", "litert-torch", "ai-edge-litert", "litert-converter"),
                      "litert_torch.convert", f"{_HERE}.convert:convert_torch",
                      imports=("litert_torch", "litert_torch.quantize.pt2e_quantizer",
                               "litert_torch.quantize.quant_config")),
        ConverterInfo("keras_tflite", "keras", ("tensorflow-cpu", "keras"),
                      "tf.lite.TFLiteConverter.from_keras_model", f"{_HERE}.convert:convert_keras",
                      title="the TFLite converter", imports=("tensorflow",)),
    ),
    reader=f"{_HERE}.format:READER", selective_build=f"{_HERE}.selective_build:SELECTIVE_BUILD",
    session=f"{_HERE}.session:load", tool=f"{_HERE}.tool:TOOL", platforms=("host", "android", "ios"),
    refusal=_refusal, conversion_settings=_settings, container="flatbuffer", file_identifier=b"TFL3",
    host_native_module=("ai_edge_litert", "_pywrap_litert_interpreter_wrapper*.so"),
)
