"""An already converted file: copied into the cache, its input signature read from the file where it has one."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.errors import ModelError
from harness.models.spec import ModelSpec, TensorSpec
from harness.runtimes import runtime_for_format
from harness.runtimes.base import Converted


def convert(spec: ModelSpec, model: object, settings: dict[str, str], output: Path) -> Converted:
    if spec.file is None:
        raise ModelError(f"{spec.name} names no file to import")
    shutil.copyfile(spec.file, output)
    return Converted()


def read_inputs(path: Path, file_format: str) -> tuple[TensorSpec, ...] | None:
    """The input signature the file records, or None; raises ModelError for an unreadable file."""
    try:
        return runtime_for_format(file_format).load_reader().input_signature(path)
    except ModelError:
        raise
    except Exception as error:
        raise ModelError(f"cannot read {path.name} as .{file_format}: {type(error).__name__}: {error}") from error
