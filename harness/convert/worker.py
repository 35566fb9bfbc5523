"""A conversion worker: one conversion in a fresh process holding one framework only.

Usage: python -m harness.convert.worker JOB.json OUTCOME.json
   or: forked from a server that has imported the converter (harness.forkserver; `warm`, below)

The job names the converter, the model and its settings; the outcome reports the input
signature of the artifact and any notes, or the error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from harness.child import child_main
from harness.convert.catalog import SOURCE_BUILDERS, SOURCE_RUNNERS, converter_info
from harness.convert.failures import describe_failure
from harness.convert.flops import count_flops
from harness.convert.jobs import ConversionJob, ConversionOutcome
from harness.errors import ModelError
from harness.models.spec import ModelSpec, TensorSpec
from harness.parity import REFERENCE_FILE, parity_inputs, save_reference
from harness.teardown import end_process


def _file_inputs(spec: ModelSpec, output: Path, file_format: str) -> tuple[TensorSpec, ...]:
    """The file's own signature, where its format records one: quantization can change input dtypes."""
    from harness.convert.import_file import read_inputs

    inputs = read_inputs(spec.file or output, file_format)  # the same bytes; the user's name in messages
    if inputs is None:
        if not spec.inputs:
            raise ModelError(f"a .{file_format} file records no input shapes; give 'inputs' in the matrix")
        return spec.inputs
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


def run_job(job: ConversionJob) -> ConversionOutcome:
    from harness.convert.metadata import build_metadata
    from harness.runtimes import runtime_for_format

    spec, output = job.model, job.output
    model = SOURCE_BUILDERS.get(spec.framework)(spec) if spec.framework in SOURCE_BUILDERS else None
    reference = _reference_outputs(spec, model, output.parent) if model is not None else None
    begin = time.monotonic()
    try:
        converted = converter_info(job.converter).load()(spec, model, job.settings, output)
    except Exception as error:
        raise ConversionFailed(describe_failure(error, _suspects(spec, model))) from error
    seconds = time.monotonic() - begin
    if reference is not None:  # a user's own file is never rewritten
        metadata = build_metadata(spec, job, reference[0], converted.delegation)
        runtime_for_format(job.format).load_reader().embed_metadata(output, metadata)
    flops, flops_counter = count_flops(spec, model)
    return ConversionOutcome(notes=converted.notes, seconds=seconds, flops=flops, flops_counter=flops_counter,
                             inputs=_file_inputs(spec, output, job.format))


def _run_job_from(job: ConversionJob) -> ConversionOutcome:
    sys.path.insert(0, job.cwd or os.getcwd())  # user factories import relative to where harness ran
    return run_job(job)


def warm(converter: str, file_format: str) -> None:
    """What a fork server of conversions imports once (harness.forkserver): the converter and the modules it
    imports as it converts, its framework's model builder, and the format's reader."""
    import importlib

    import harness.convert.flops  # noqa: F401
    import harness.convert.metadata  # noqa: F401
    from harness.runtimes import runtime_for_format

    info = converter_info(converter)
    info.load()
    for module in info.imports:
        importlib.import_module(module)
    if info.framework in SOURCE_BUILDERS:
        SOURCE_BUILDERS.get(info.framework)
        SOURCE_RUNNERS.get(info.framework)
    runtime_for_format(file_format).load_reader()


def main(argv: list[str]) -> int:
    return child_main(argv, _run_job_from, ConversionJob,
                      lambda error: str(error) if isinstance(error, ConversionFailed) else describe_failure(error))


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
