"""Check a converted file in the runtime that will run it, in a process of its own.

Usage: python -m harness.convert.verify JOB.json OUTCOME.json

It reads the file's operators, versions and metadata, writes the operator list for the runtime's
selective build, and for each delegate the host can apply, records how much of the graph the
delegate took and how far the outputs are from the source model's (when a reference was saved).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from harness.convert.worker import run_step
from harness.formats import Inspection, delegation_to_json, format_module, inspect_file
from harness.parity import dequantize, load_reference, quantize
from harness.runtimes.catalog import ADAPTERS, RUNTIMES

HOST_TFLITE_DELEGATES = ("xnnpack", "none")


def host_delegates(inspection: Inspection) -> tuple[str, ...]:
    if inspection.format == "tflite":
        return HOST_TFLITE_DELEGATES
    if inspection.format == "pte":
        return ("+".join(inspection.backends) or "none",)  # baked in
    return ("none",)


def _runtime_for(file_format: str) -> str:
    return next(name for name, info in RUNTIMES.items() if info.format == file_format)


def _prepare(sample: list[np.ndarray], quantization: list[tuple]) -> list[np.ndarray]:
    prepared = []
    for array, (scale, zero_point, dtype) in zip(sample, quantization or [(0.0, 0, None)] * len(sample)):
        integer = dtype is not None and np.issubdtype(dtype, np.integer) and array.dtype.kind == "f"
        prepared.append(quantize(array, scale, zero_point, dtype) if integer and scale else array)
    return prepared


def _restore(outputs: list[np.ndarray], quantization: list[tuple]) -> list[np.ndarray]:
    return [dequantize(o, scale, zero_point) if scale and o.dtype.kind in "iu" else o
            for o, (scale, zero_point, _) in zip(outputs, quantization or [(0.0, 0, None)] * len(outputs))]


def run_converted(path: Path, runtime: str, delegate: str, inputs: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    session = ADAPTERS.get(runtime)(path, delegate, 1)
    inputs_q, outputs_q = session.quantization() if hasattr(session, "quantization") else (None, None)
    results = []
    for sample in inputs:
        session.set_inputs(_prepare(sample, inputs_q))
        session.run()
        results.append(_restore(session.outputs(), outputs_q))
    return results


def _parity(path: Path, runtime: str, delegate: str, reference: Path) -> dict:
    from harness.stats import output_parity

    try:
        inputs, expected = load_reference(reference)
        return output_parity(expected, run_converted(path, runtime, delegate, inputs))
    except Exception as error:
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]}


def verify(job: dict) -> dict:
    path = Path(job["path"])
    inspection = inspect_file(path)
    module = format_module(inspection.format)
    operator_list = module.write_operator_list(path, inspection, Path(job["operator_list_folder"]))
    reference = Path(job["reference"]) if job.get("reference") else None
    checks = {}
    for delegate in host_delegates(inspection):
        check = {"delegation": delegation_to_json(module.delegation(path, inspection, delegate))}
        if reference and reference.is_file():
            check["parity"] = _parity(path, _runtime_for(inspection.format), delegate, reference)
        checks[delegate] = check
    return {"status": "ok", "inspection": inspection.to_json(), "operator_list": operator_list.name,
            "checks": checks}


def main(argv: list[str]) -> int:
    return run_step(argv, verify, lambda error: f"{type(error).__name__}: {error}"[:400])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
