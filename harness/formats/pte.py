"""ExecuTorch programs (.pte). Metadata lives in a JSON sidecar next to the file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from harness.formats import Delegation, Inspection, Operator, delegation_from_json, sidecar_path

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


def _program(data: bytes):
    from executorch.exir._serialize._program import deserialize_pte_binary

    return deserialize_pte_binary(data).program


def _backends(program) -> tuple[str, ...]:
    ids = {delegate.id for method in program.execution_plan for delegate in method.delegates}
    return tuple(sorted(_DELEGATE_NAMES.get(backend, backend) for backend in ids))


def backend_names(path: Path) -> tuple[str, ...]:
    return _backends(_program(path.read_bytes()))


def _kernel_calls(program) -> list[Operator]:
    counts: Counter = Counter()
    for method in program.execution_plan:
        names = [f"{op.name}.{op.overload}" if op.overload else op.name for op in method.operators]
        for chain in method.chains:
            for instruction in chain.instructions:
                if type(instruction.instr_args).__name__ == "KernelCall":
                    counts[names[instruction.instr_args.op_index]] += 1
    return [Operator(name, count, kind="aten" if name.startswith("aten::") else "custom")
            for name, count in sorted(counts.items())]


def read_metadata(path: Path) -> dict | None:
    sidecar = sidecar_path(path)
    return json.loads(sidecar.read_text()) if sidecar.is_file() else None


def inspect(path: Path) -> Inspection:
    data = path.read_bytes()
    version = file_identifier(data)
    program = _program(data)
    backends = _backends(program)
    notes = () if sidecar_path(path).is_file() else (f"no metadata sidecar ({sidecar_path(path).name})",)
    return Inspection("pte", len(data), f"ExecuTorch {version}", None, tuple(_kernel_calls(program)),
                      backends, read_metadata(path), notes)


def embed_metadata(path: Path, metadata: dict) -> None:
    sidecar_path(path).write_text(json.dumps(metadata, indent=1, sort_keys=True))


def delegation(path: Path, inspection: Inspection, delegate: str) -> Delegation:
    """Node counts come from the lowering (recorded in the sidecar); a bare file gives only what stayed out."""
    delegate = "+".join(inspection.backends) or "none"
    fallback = tuple(sorted({op.name for op in inspection.operators}))
    recorded = (inspection.metadata or {}).get("delegation")
    if recorded:
        return delegation_from_json({**recorded, "delegate": delegate, "fallback_operators": fallback})
    if delegate == "none":
        total = sum(op.count for op in inspection.operators)
        return Delegation("none", total, 0, fallback)
    return Delegation(delegate, None, None, fallback)


def write_operator_list(path: Path, inspection: Inspection, folder: Path) -> Path:
    """ExecuTorch's own gen_oplist: the kernels, with dtypes and dim orders, that the program calls outside delegates."""
    target = folder / "executorch_selected_operators.yaml"
    command = [sys.executable, "-m", "executorch.codegen.tools.gen_oplist",
               f"--model_file_path={path}", f"--output_path={target}"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0 or not target.is_file():
        raise RuntimeError(f"gen_oplist failed: {completed.stderr.strip().splitlines()[-1:]}")
    return target


def combine_operator_lists(lists: list[Path], folder: Path) -> Path:
    """Merged as ExecuTorch's gen_all_oplist merges them, with torchgen's selective-build combiner."""
    import yaml
    from torchgen.selective_build.selector import SelectiveBuilder, combine_selective_builders

    builders = [SelectiveBuilder.from_yaml_dict(yaml.safe_load(path.read_text())) for path in lists]
    combined = builders[0]
    for builder in builders[1:]:
        combined = combine_selective_builders(combined, builder)
    target = folder / "executorch_selected_operators.yaml"
    target.write_text(yaml.safe_dump(combined.to_dict()))
    return target
