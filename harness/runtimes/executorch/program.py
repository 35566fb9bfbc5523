"""What a .pte program holds at its top: its identifier, and the backends baked into it.

Light on purpose: the host shell reads it before it measures anything.
"""

from __future__ import annotations

from pathlib import Path

# c10::ScalarType codes, as a program's method metadata reports them, by numpy dtype name.
SCALAR_TYPES = {0: "uint8", 1: "int8", 3: "int32", 4: "int64", 6: "float32", 11: "bool"}
# Backend ids as they appear in a program, by the harness's delegate names.
BACKEND_IDS = {"xnnpack": "XnnpackBackend", "vulkan": "VulkanBackend", "coreml": "CoreMLBackend",
               "mps": "MPSBackend", "qnn": "QnnBackend"}
_DELEGATE_NAMES = {backend: name for name, backend in BACKEND_IDS.items()}


def file_identifier(data: bytes) -> str:
    """The flatbuffer identifier, 'ET' and a two-digit schema version; the runtime refuses others."""
    identifier = data[4:8]
    if not identifier.startswith(b"ET") or not identifier[2:].isdigit():
        raise ValueError("no ExecuTorch file identifier; this is not a .pte program")
    return identifier.decode()


def read_program(data: bytes):
    from executorch.exir._serialize._program import deserialize_pte_binary

    return deserialize_pte_binary(data).program


def backends_of(program) -> tuple[str, ...]:
    ids = {delegate.id for method in program.execution_plan for delegate in method.delegates}
    return tuple(sorted(_DELEGATE_NAMES.get(backend, backend) for backend in ids))


def backend_names(path: Path) -> tuple[str, ...]:
    return backends_of(read_program(path.read_bytes()))
