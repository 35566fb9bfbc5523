"""Check a converted file in the runtime that will run it, in a process of its own.

Usage: python -m harness.convert.verify JOB.json OUTCOME.json
   or: forked from a server that has imported the runtime (harness.forkserver; `warm`, below)

It reads the file's operators, versions and metadata, writes the operator list for the runtime's
selective build, and for each delegate the host can apply, records how much of the graph the
delegate took and how far the outputs are from the source model's (when a reference was saved).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from harness.child import child_main
from harness.convert.jobs import CheckJob, CheckOutcome, DelegateCheck, Parity
from harness.parity import dequantize, load_reference, quantize
from harness.runtimes import runtime_for_format
from harness.runtimes.base import Runtime
from harness.runtimes.inspection import Inspection, inspect_file
from harness.teardown import end_process


def host_delegates(runtime: Runtime, inspection: Inspection) -> tuple[str, ...]:
    """The delegates to check the file under: what the host applies, or the one baked into the file."""
    if runtime.delegate_in_file:
        return ("+".join(inspection.backends) or "none",)
    return runtime.host_delegates


def _prepare(sample: list[np.ndarray], quantization: list[tuple] | None) -> list[np.ndarray]:
    prepared = []
    for array, (scale, zero_point, dtype) in zip(sample, quantization or [(0.0, 0, None)] * len(sample)):
        integer = dtype is not None and np.issubdtype(dtype, np.integer) and array.dtype.kind == "f"
        prepared.append(quantize(array, scale, zero_point, dtype) if integer and scale else array)
    return prepared


def _restore(outputs: list[np.ndarray], quantization: list[tuple] | None) -> list[np.ndarray]:
    return [dequantize(o, scale, zero_point) if scale and o.dtype.kind in "iu" else o
            for o, (scale, zero_point, _) in zip(outputs, quantization or [(0.0, 0, None)] * len(outputs))]


def run_converted(path: Path, runtime: Runtime, delegate: str, inputs: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    session = runtime.load_session()(path, delegate, 1)
    quantization = getattr(session, "quantization", None)  # sessions whose tensors may be int8
    inputs_q, outputs_q = quantization() if quantization else (None, None)
    results = []
    for sample in inputs:
        session.set_inputs(_prepare(sample, inputs_q))
        session.run()
        results.append(_restore(session.outputs(), outputs_q))
    return results


def _parity(path: Path, runtime: Runtime, delegate: str, reference: Path) -> Parity:
    from harness.stats import output_parity

    try:
        inputs, expected = load_reference(reference)
        return Parity(**output_parity(expected, run_converted(path, runtime, delegate, inputs)))
    except Exception as error:
        return Parity(error=f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300])


def verify(job: CheckJob) -> CheckOutcome:
    inspection = inspect_file(job.path)
    runtime = runtime_for_format(inspection.format)
    operator_list = runtime.load_selective_build().write_operator_list(job.path, inspection, job.operator_list_folder)
    reader, checks = runtime.load_reader(), {}
    for delegate in host_delegates(runtime, inspection):
        parity = None
        if job.reference and job.reference.is_file():
            parity = _parity(job.path, runtime, delegate, job.reference)
        checks[delegate] = DelegateCheck(delegation=reader.delegation(job.path, inspection, delegate), parity=parity)
    return CheckOutcome(inspection=inspection, checks=checks, operator_list=operator_list.name)


def warm(file_format: str) -> None:
    """What a fork server of checks imports once (harness.forkserver): the format's runtime and reader."""
    import harness.stats  # noqa: F401

    runtime = runtime_for_format(file_format)
    runtime.load_session()
    runtime.load_reader()


def main(argv: list[str]) -> int:
    return child_main(argv, verify, CheckJob, lambda error: f"{type(error).__name__}: {error}"[:400])


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
