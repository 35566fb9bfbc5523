"""ExecuTorch: .pte programs from torch, lowered to XNNPACK or left on the portable operators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.runtimes.base import ConverterInfo, Runtime
from harness.runtimes.choices import CALIBRATED, QuantizationOptions, calibration_settings

if TYPE_CHECKING:  # the descriptor stays light: shells read it before they measure
    from harness.models.spec import ModelSpec

_HERE = "harness.runtimes.executorch"
LOWERED = ("xnnpack", "none")  # the backends the harness lowers to


def _refusal(model: ModelSpec, delegate: str, quantization: str) -> str | None:
    if delegate not in LOWERED:
        return f"the harness cannot lower to the ExecuTorch {delegate} backend yet"
    if quantization in CALIBRATED and delegate == "none":
        return ("ExecuTorch's portable operators in this build have no quantize/dequantize kernels; "
                "8-bit programs need the XNNPACK delegate")
    return None


def _settings(model: ModelSpec, delegate: str, quantization: str,
              options: QuantizationOptions) -> tuple[tuple[str, str], ...]:
    return (("delegate", delegate), *calibration_settings(quantization, options))


RUNTIME = Runtime(
    name="executorch", format="pte", description="ExecuTorch; the delegate is baked into the .pte",
    packages=("executorch",),
    delegates=("xnnpack", "none", "vulkan", "coreml", "mps", "qnn"), host_delegates=LOWERED,
    quantizations=("fp32", "int8", "int8_per_tensor"),
    converters=(
        ConverterInfo("executorch", "torch", ("torch", "executorch"),
                      "torch.export, then to_edge_transform_and_lower (XNNPACK partitioner, or none: portable)",
                      f"{_HERE}.convert:convert",
                      imports=("executorch.backends.xnnpack.partition.xnnpack_partitioner",
                               "executorch.backends.xnnpack.quantizer.xnnpack_quantizer",
                               "executorch.devtools.backend_debug")),
    ),
    reader=f"{_HERE}.format:READER", selective_build=f"{_HERE}.selective_build:SELECTIVE_BUILD",
    session=f"{_HERE}.session:load", tool=f"{_HERE}.tool:TOOL", platforms=("host", "android", "ios"),
    profiler=f"{_HERE}.profile:profile", host_native_module=("executorch", "extension/pybindings/_C.*.so"),
    native_runner="executorch_runner",
    delegate_in_file=True, refusal=_refusal, conversion_settings=_settings,
    container="flatbuffer", file_identifier=b"ET",
)
