"""An already converted file: copied into the cache, its input signature read from the file where it has one."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.convert.catalog import Converted
from harness.errors import ModelError
from harness.models.spec import DTYPES, ModelSpec, TensorSpec


def convert(spec: ModelSpec, model: None, settings: dict[str, str], output: Path) -> Converted:
    shutil.copyfile(spec.file, output)
    return Converted()


def read_inputs(path: Path, file_format: str) -> tuple[TensorSpec, ...]:
    """The input signature recorded in a .tflite or .pte; raises ModelError for an unreadable file."""
    try:
        if file_format == "tflite":
            return _tflite_inputs(path)
        if file_format == "pte":
            return _pte_inputs(path)
    except ModelError:
        raise
    except Exception as error:
        raise ModelError(f"cannot read {path.name} as .{file_format}: {type(error).__name__}: {error}") from error
    raise ModelError(f"a .{file_format} file records no input shapes; give 'inputs' in the matrix")


def _dtype(name: str, path: Path) -> str:
    if name not in DTYPES:
        raise ModelError(f"{path.name} takes a {name} input; the harness feeds {', '.join(DTYPES)}")
    return name


def _tflite_inputs(path: Path) -> tuple[TensorSpec, ...]:
    from ai_edge_litert.interpreter import Interpreter

    details = Interpreter(model_path=str(path)).get_input_details()
    return tuple(TensorSpec(tuple(int(n) for n in d["shape"]), _dtype(d["dtype"].__name__, path)) for d in details)


def _pte_inputs(path: Path) -> tuple[TensorSpec, ...]:
    from executorch.runtime import Runtime

    from harness.runtimes.executorch import SCALAR_TYPES

    meta = Runtime.get().load_program(path).metadata("forward")
    specs = []
    for index in range(meta.num_inputs()):
        info = meta.input_tensor_meta(index)
        specs.append(TensorSpec(tuple(info.sizes()), _dtype(SCALAR_TYPES.get(int(info.dtype()), object).__name__, path)))
    return tuple(specs)
