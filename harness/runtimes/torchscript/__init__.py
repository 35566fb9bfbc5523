"""The TorchScript lite interpreter (PyTorch Mobile): .ptl files from torch, on its CPU kernels."""

from __future__ import annotations

from harness.runtimes.base import ConverterInfo, Runtime

_HERE = "harness.runtimes.torchscript"

RUNTIME = Runtime(
    name="torchscript", format="ptl", description="TorchScript lite interpreter (PyTorch Mobile)",
    packages=("torch",),
    delegates=("none",), host_delegates=("none",), quantizations=("fp32", "dynamic_int8"),
    converters=(
        ConverterInfo("torchscript_lite", "torch", ("torch",), "torch.jit.trace, then _save_for_lite_interpreter",
                      f"{_HERE}.convert:convert"),
    ),
    reader=f"{_HERE}.format:READER", selective_build=f"{_HERE}.selective_build:SELECTIVE_BUILD",
    session=f"{_HERE}.session:load", tool=f"{_HERE}.tool:TOOL", platforms=("host", "android", "ios"),
    profiler=f"{_HERE}.profile:profile", host_native_module=("torch", "_C.*.so"),
    native_runner="torchscript_runner",
    file_records_inputs=False, container="zip",
)
