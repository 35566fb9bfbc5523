"""torch -> ExecuTorch .pte, lowered to XNNPACK or left on the portable operators; fp32 or 8-bit PT2E."""

from __future__ import annotations

from pathlib import Path

import torch
from executorch.exir import to_edge_transform_and_lower

from harness.convert.calibration import calibration_inputs
from harness.convert.torch_model import example_inputs
from harness.models.spec import ModelSpec
from harness.runtimes.base import Converted


def _partitioners(delegate: str) -> list:
    if delegate == "none":
        return []
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

    return [XnnpackPartitioner()]


def _quantized(model: torch.nn.Module, spec: ModelSpec, settings: dict[str, str], inputs) -> torch.nn.Module:
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer,
        get_symmetric_quantization_config,
    )

    from harness.convert.quantize import pt2e_quantize

    per_channel = settings["quantization"] == "int8"
    quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=per_channel))
    return pt2e_quantize(model, inputs, quantizer, calibration_inputs(spec, settings))


def _delegation(lowered) -> dict:
    from executorch.devtools.backend_debug import get_delegation_info

    info = get_delegation_info(lowered.exported_program().graph_module)
    return {"total_nodes": info.num_delegated_nodes + info.num_non_delegated_nodes,
            "delegated_nodes": info.num_delegated_nodes}


def convert(spec: ModelSpec, model: torch.nn.Module, settings: dict[str, str], output: Path) -> Converted:
    inputs = example_inputs(spec)
    if settings["quantization"] != "fp32":
        model = _quantized(model, spec, settings, inputs)
    with torch.no_grad():
        exported = torch.export.export(model, inputs)
    lowered = to_edge_transform_and_lower(exported, partitioner=_partitioners(settings["delegate"]))
    output.write_bytes(lowered.to_executorch().buffer)
    return Converted(delegation=_delegation(lowered))
