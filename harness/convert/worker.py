"""A conversion worker: one conversion in a fresh process holding one framework only.

Usage: python -m harness.convert.worker JOB.json OUTCOME.json

The job names the converter, the model and its settings; the outcome reports the input
signature of the artifact and any notes, or the error.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from harness.convert.catalog import CONVERTER_FUNCTIONS, SOURCE_BUILDERS, SOURCE_RUNNERS
from harness.convert.failures import describe_failure
from harness.convert.flops import count_flops
from harness.models.spec import ModelSpec, TensorSpec
from harness.parity import REFERENCE_FILE, parity_inputs, save_reference
from harness.protocol import write_json_atomic


def spec_to_json(spec: ModelSpec) -> dict:
    data = asdict(spec)
    data["file"] = str(spec.file) if spec.file else None
    data["weights"] = str(spec.weights) if spec.weights else None
    data["labels"] = list(spec.labels)
    return data


def spec_from_json(data: dict) -> ModelSpec:
    return ModelSpec(**{
        **data,
        "inputs": tuple(TensorSpec(tuple(t["shape"]), t["dtype"]) for t in data["inputs"]),
        "file": Path(data["file"]) if data["file"] else None,
        "weights": Path(data["weights"]) if data["weights"] else None,
        "labels": tuple(data.get("labels", ())),
    })


def _file_inputs(spec: ModelSpec, output: Path, file_format: str) -> tuple[TensorSpec, ...]:
    from harness.convert.import_file import read_inputs
    from harness.errors import ModelError

    inputs = read_inputs(spec.file or output, file_format)  # the same bytes; the user's name in messages
    if spec.file and spec.inputs and [t.shape for t in spec.inputs] != [t.shape for t in inputs]:
        raise ModelError(f"the matrix gives inputs {[list(t.shape) for t in spec.inputs]} but {spec.file.name} "
                         f"takes {[list(t.shape) for t in inputs]}")
    return inputs


class ConversionFailed(Exception):
    """A converter's error, already described in one line."""


def _suspects(spec: ModelSpec, model) -> list[str]:
    if spec.framework != "torch":
        return []
    from harness.convert.failures import non_core_aten_operators
    from harness.convert.torch_model import example_inputs

    return non_core_aten_operators(model, example_inputs(spec))


def _reference_outputs(spec: ModelSpec, model, folder: Path) -> list[list]:
    """Run the parity inputs through the source model, before any converter touches it, and save both."""
    inputs = parity_inputs(spec.inputs)
    outputs = [SOURCE_RUNNERS.get(spec.framework)(model, sample) for sample in inputs]
    save_reference(folder / REFERENCE_FILE, inputs, outputs)
    return outputs


def run_job(job: dict) -> dict:
    from harness.convert.metadata import build_metadata
    from harness.formats import format_module

    spec = spec_from_json(job["model"])
    output = Path(job["output"])
    model = SOURCE_BUILDERS.get(spec.framework)(spec) if spec.framework in SOURCE_BUILDERS else None
    reference = _reference_outputs(spec, model, output.parent) if model is not None else None
    begin = time.monotonic()
    try:
        converted = CONVERTER_FUNCTIONS.get(job["converter"])(spec, model, job["settings"], output)
    except Exception as error:
        raise ConversionFailed(describe_failure(error, _suspects(spec, model))) from error
    seconds = time.monotonic() - begin
    if reference is not None:  # a user's own file is never rewritten
        metadata = build_metadata(spec, job, reference[0], converted.delegation)
        format_module(job["format"]).embed_metadata(output, metadata)
    flops, flops_counter = count_flops(spec, model)
    inputs = spec.inputs
    if job["format"] in ("tflite", "pte"):  # the file's own signature: quantization can change input dtypes
        inputs = _file_inputs(spec, output, job["format"])
    return {"status": "ok", "notes": list(converted.notes), "seconds": seconds, "flops": flops,
            "flops_counter": flops_counter, "inputs": [{"shape": list(t.shape), "dtype": t.dtype} for t in inputs]}


def run_step(argv: list[str], step, describe) -> int:
    """A conversion step's process: JOB.json in, OUTCOME.json out, an error described in one line."""
    job = json.loads(Path(argv[0]).read_text())
    try:
        outcome = step(job)
    except Exception as error:
        traceback.print_exc()
        outcome = {"status": "failed", "error": describe(error)}
    write_json_atomic(Path(argv[1]), outcome)
    return 0


def _run_job_from(job: dict) -> dict:
    sys.path.insert(0, job.get("cwd") or os.getcwd())  # user factories import relative to where harness ran
    return run_job(job)


def main(argv: list[str]) -> int:
    return run_step(argv, _run_job_from,
                    lambda error: str(error) if isinstance(error, ConversionFailed) else describe_failure(error))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
