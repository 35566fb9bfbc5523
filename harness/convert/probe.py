"""What `harness plan` checks of a matrix's own models without converting them, in a child process
(importing a factory's module may load torch or TensorFlow, which the parent never imports).

Usage: python -m harness.convert.probe JOB.json OUTCOME.json

A factory's module must import and its attribute be callable; a `file:` model's file must be readable
by its runtime's reader. Factories are imported, never called: building a model is the converter's work.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Literal

from pydantic import BaseModel, ConfigDict

from harness.child import child_main
from harness.errors import ModelError
from harness.models.spec import ModelSpec
from harness.teardown import end_process


class ProbeJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    models: dict[int, ModelSpec]  # by their index in the matrix's `models`
    cwd: str  # factories import relative to where harness ran


class ModelProblem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    index: int
    key: Literal["factory", "file"]
    message: str


class ProbeOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    status: Literal["ok"] = "ok"
    problems: list[ModelProblem]


def _factory_problem(factory: str) -> str | None:
    module_name, _, attribute = factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # a user's module: whatever it raises is the answer
        return f"cannot import {module_name}: {type(error).__name__}: {' '.join(str(error).split())}"
    target: object = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            return f"{module_name} has no attribute {attribute!r}"
        target = getattr(target, part)
    return None if callable(target) else f"{factory} is a {type(target).__name__}, not a callable"


def _file_problem(spec: ModelSpec) -> str | None:
    from harness.convert.import_file import read_inputs

    assert spec.file is not None and spec.file_format is not None
    try:
        read_inputs(spec.file, spec.file_format)
    except ModelError as error:
        return str(error)
    return None


def probe(job: ProbeJob) -> ProbeOutcome:
    sys.path.insert(0, job.cwd or os.getcwd())
    problems = []
    for index, spec in job.models.items():
        key: Literal["factory", "file"] = "factory" if spec.factory else "file"
        problem = _factory_problem(spec.factory) if spec.factory else _file_problem(spec)
        if problem:
            problems.append(ModelProblem(index=index, key=key, message=problem))
    return ProbeOutcome(problems=problems)


if __name__ == "__main__":
    end_process(child_main(sys.argv[1:], probe, ProbeJob, lambda error: f"{type(error).__name__}: {error}"))
