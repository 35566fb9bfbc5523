"""The delegate and quantization names a matrix chooses from. Each runtime says which of them it offers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.registry import check_known

# "none" means the runtime's own CPU kernels: ExecuTorch's portable operators, TFLite's builtin
# kernels, or the lite interpreter's ATen ops.
DELEGATES = ("none", "xnnpack", "gpu", "nnapi", "coreml", "metal", "vulkan", "qnn", "mps")
# fp16: float16 weights. dynamic_int8: int8 weights, activations quantized at run time.
# int8: weights and activations int8 (per-channel weights), calibrated on sample inputs.
# int8_per_tensor: the same with one scale per weight tensor.
QUANTIZATIONS = ("fp32", "fp16", "dynamic_int8", "int8", "int8_per_tensor")
CALIBRATED = ("int8", "int8_per_tensor")


def check_delegate(name: str) -> str:
    check_known("delegate", name, list(DELEGATES))
    return name


def check_quantization(name: str) -> str:
    check_known("quantization", name, list(QUANTIZATIONS))
    return name


@dataclass(frozen=True)
class QuantizationOptions:
    """Matrix-wide settings for the quantized variants."""

    calibration_data: Path | None = None  # an .npz file or a folder of .npy files; None: seeded synthetic inputs
    calibration_samples: int = 32
    int8_io: str = "float"  # full-int8 TFLite from Keras: float or int8 model inputs and outputs


def calibration_settings(quantization: str, options: QuantizationOptions) -> tuple[tuple[str, str], ...]:
    """The settings that change a calibrated file: which data, and how much of it."""
    if quantization not in CALIBRATED:
        return ()
    data = str(options.calibration_data) if options.calibration_data else "synthetic"
    return (("calibration_data", data), ("calibration_samples", str(options.calibration_samples)))
