"""ExecuTorch programs (.pte). Metadata lives in a JSON sidecar next to the file."""

from __future__ import annotations

import json
from pathlib import Path

from harness.compatibility import RuntimeLimits
from harness.models.spec import TensorSpec
from harness.runtimes.base import FormatFunctions
from harness.runtimes.executorch.program import SCALAR_TYPES, backend_names, file_identifier, kernel_calls
from harness.runtimes.inspection import Delegation, Inspection, Operator, harness_dtype, sidecar_path


def _kernel_calls(data: bytes) -> list[Operator]:
    return [Operator(name=name, count=count, kind="aten" if name.startswith("aten::") else "custom")
            for name, count in sorted(kernel_calls(data).items())]


def read_metadata(path: Path) -> dict | None:
    sidecar = sidecar_path(path)
    return json.loads(sidecar.read_text()) if sidecar.is_file() else None


def inspect(path: Path) -> Inspection:
    data = path.read_bytes()
    version = file_identifier(data)
    backends = backend_names(data)
    notes = () if sidecar_path(path).is_file() else (f"no metadata sidecar ({sidecar_path(path).name})",)
    return Inspection(format="pte", size_bytes=len(data), format_version=f"ExecuTorch {version}",
                      min_runtime_version=None, operators=tuple(_kernel_calls(data)), backends=backends,
                      metadata=read_metadata(path), notes=notes)


def embed_metadata(path: Path, metadata: dict) -> None:
    sidecar_path(path).write_text(json.dumps(metadata, indent=1, sort_keys=True))


def delegation(path: Path, inspection: Inspection, delegate: str) -> Delegation:
    """Node counts come from the lowering (recorded in the sidecar); a bare file gives only what stayed out."""
    delegate = "+".join(inspection.backends) or "none"
    fallback = tuple(sorted({op.name for op in inspection.operators}))
    recorded = (inspection.metadata or {}).get("delegation")
    if recorded:
        return Delegation.model_validate({**recorded, "delegate": delegate, "fallback_operators": fallback})
    if delegate == "none":
        total = sum(op.count for op in inspection.operators)
        return Delegation(delegate="none", total_nodes=total, delegated_nodes=0, fallback_operators=fallback)
    return Delegation(delegate=delegate, total_nodes=None, delegated_nodes=None, fallback_operators=fallback)


def input_signature(path: Path) -> tuple[TensorSpec, ...]:
    from executorch.runtime import Runtime

    meta = Runtime.get().load_program(path).metadata("forward")
    specs = []
    for index in range(meta.num_inputs()):
        info = meta.input_tensor_meta(index)
        dtype = SCALAR_TYPES.get(int(info.dtype()), "object")
        specs.append(TensorSpec(tuple(info.sizes()), harness_dtype(dtype, path)))
    return tuple(specs)


def incompatibility(inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
    """A runtime reads only the file identifiers (ET12, ...) it was built for."""
    identifier = inspection.format_version.split()[-1]
    if limits.pte_identifiers and identifier not in limits.pte_identifiers:
        return (f"the program is {identifier}; {device}'s ExecuTorch reads {', '.join(limits.pte_identifiers)}: "
                "convert with the ExecuTorch version the app is built with")
    return None


READER = FormatFunctions(inspect, embed_metadata, delegation, input_signature, incompatibility)
