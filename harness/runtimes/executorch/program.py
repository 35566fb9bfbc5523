"""What a .pte program holds at its top: its identifier, and the backends baked into it.

Light on purpose: the host shell reads it before it measures anything.
"""

from __future__ import annotations

import types

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


def backend_names(data: bytes) -> tuple[str, ...]:
    """The backends a program's delegates name, read through the flatbuffer reader ExecuTorch generates from its
    schema: the shell reads them without the program serializer (`read_program`), which loads sympy and torch's
    decompositions."""
    program = _program_table().GetRootAs(data, 0)
    plans = [program.ExecutionPlan(i) for i in range(program.ExecutionPlanLength())]
    ids = {plan.Delegates(j).Id() for plan in plans if plan for j in range(plan.DelegatesLength())}
    names = (backend.decode() if isinstance(backend, bytes) else backend for backend in ids if backend)
    return tuple(sorted(_DELEGATE_NAMES.get(backend, backend) for backend in names))


def _program_table():
    """The generated Program class. The generated modules bind each child table's name to its module rather than
    its class (Program's ExecutionPlan is the ExecutionPlan module), and ExecuTorch's serializer rebinds them before
    reading; this does the same for the two tables read here."""
    from executorch.exir._serialize.generated.executorch_flatbuffer import ExecutionPlan, Program

    for module, child in ((Program, "ExecutionPlan"), (ExecutionPlan, "BackendDelegate")):
        table = getattr(module, child)
        if isinstance(table, types.ModuleType):
            setattr(module, child, getattr(table, child))
    return Program.Program
