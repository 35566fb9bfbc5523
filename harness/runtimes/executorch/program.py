"""What a .pte program holds: its identifier, the backends baked into it, and the kernels it calls.

Light on purpose: the host shell reads it before it measures anything.
"""

from __future__ import annotations

import types
from collections import Counter
from functools import cache

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


def backend_names(data: bytes) -> tuple[str, ...]:
    """The backends a program's delegates name."""
    ids = {plan.Delegates(j).Id() for plan in _plans(data) for j in range(plan.DelegatesLength())}
    return tuple(sorted(_DELEGATE_NAMES.get(backend, backend) for backend in map(_text, ids) if backend))


def kernel_calls(data: bytes) -> Counter[str]:
    """How many times each operator is called as a kernel (`name.overload`), over every method's chains."""
    from executorch.exir._serialize.generated.executorch_flatbuffer.InstructionArguments import InstructionArguments
    from executorch.exir._serialize.generated.executorch_flatbuffer.KernelCall import KernelCall

    counts: Counter[str] = Counter()
    for plan in _plans(data):
        operators = [plan.Operators(i) for i in range(plan.OperatorsLength())]
        names = [f"{_text(op.Name())}.{_text(op.Overload())}" if op.Overload() else _text(op.Name()) for op in operators]
        for chain in map(plan.Chains, range(plan.ChainsLength())):
            for instruction in map(chain.Instructions, range(chain.InstructionsLength())):
                if instruction.InstrArgsType() == InstructionArguments.KernelCall:
                    call = KernelCall()
                    table = instruction.InstrArgs()
                    call.Init(table.Bytes, table.Pos)
                    counts[str(names[call.OpIndex()])] += 1
    return counts


def _plans(data: bytes) -> list:
    """The program's execution plans (one per method), read through the flatbuffer reader ExecuTorch generates from
    its schema, without the program serializer of `executorch.exir._serialize`, which loads the exporter."""
    program = _generated_program().GetRootAs(data, 0)
    return [plan for plan in map(program.ExecutionPlan, range(program.ExecutionPlanLength())) if plan is not None]


@cache
def _generated_program():
    """The generated Program class. The generated modules bind each child table's name to its module rather than
    its class (Program's ExecutionPlan is the ExecutionPlan module); ExecuTorch's serializer rebinds them before
    reading, and so does this."""
    from harness.runtimes.executorch.bindings import defer_exporter

    defer_exporter()  # its parent packages' __init__ would load the exporter
    import executorch.exir._serialize.generated.executorch_flatbuffer as generated

    for module in [m for m in vars(generated).values() if isinstance(m, types.ModuleType)]:
        for name, value in list(vars(module).items()):
            if isinstance(value, types.ModuleType) and isinstance(table := getattr(value, name, None), type):
                setattr(module, name, table)
    return generated.Program.Program


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
