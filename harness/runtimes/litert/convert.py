"""torch -> .tflite through litert-torch, and Keras -> .tflite through the TensorFlow converter."""

from __future__ import annotations

from pathlib import Path

from harness.convert.calibration import calibration_inputs
from harness.errors import ConversionError
from harness.models.spec import ModelSpec
from harness.runtimes.base import Converted


def convert_torch(spec: ModelSpec, model, settings: dict[str, str], output: Path) -> Converted:
    import litert_torch
    import torch

    from harness.convert.torch_model import example_inputs

    inputs = example_inputs(spec)
    quantization, options = settings["quantization"], {}
    if quantization in ("dynamic_int8", "int8", "int8_per_tensor"):
        model, options["quant_config"] = _pt2e(model, spec, settings, inputs)
    elif quantization != "fp32":
        raise ConversionError(f"litert-torch conversion has no {quantization} variant in the harness")
    with torch.no_grad():
        litert_torch.convert(model, inputs, **options).export(str(output))
    return Converted()


def _pt2e(model, spec: ModelSpec, settings: dict[str, str], inputs):
    from litert_torch.quantize.pt2e_quantizer import PT2EQuantizer, get_symmetric_quantization_config
    from litert_torch.quantize.quant_config import QuantConfig

    from harness.convert.quantize import pt2e_quantize

    quantization = settings["quantization"]
    config = get_symmetric_quantization_config(is_per_channel=quantization != "int8_per_tensor",
                                               is_dynamic=quantization == "dynamic_int8")
    quantizer = PT2EQuantizer().set_global(config)
    # Dynamic quantization still observes the weights: one pass over the example sets their scales.
    example = [tuple(tensor.numpy() for tensor in inputs)]
    calibration = calibration_inputs(spec, settings) if quantization != "dynamic_int8" else example
    quantized = pt2e_quantize(model, inputs, quantizer, calibration, fold_quantize=False)
    return quantized, QuantConfig(pt2e_quantizer=quantizer)


def convert_keras(spec: ModelSpec, model, settings: dict[str, str], output: Path) -> Converted:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    _configure_quantization(converter, spec, settings)
    output.write_bytes(converter.convert())
    return Converted()


def _configure_quantization(converter, spec: ModelSpec, settings: dict[str, str]) -> None:
    import tensorflow as tf

    quantization = settings["quantization"]
    if quantization == "fp32":
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]  # alone: dynamic-range int8
    if quantization == "fp16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "int8":
        samples = calibration_inputs(spec, settings)
        converter.representative_dataset = lambda: (list(sample) for sample in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if settings["int8_io"] == "int8":
            converter.inference_input_type = converter.inference_output_type = tf.int8
    elif quantization != "dynamic_int8":
        raise ConversionError(f"the TFLite converter has no {quantization} variant in the harness")
