"""What the harness knows about a model before any framework is imported.

pydantic dataclasses: built positionally like any dataclass, and carried to the conversion worker
and into the cache as JSON through `MODEL_SPEC` and `TENSOR_SPECS`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

DTYPES = ("float32", "int32", "int64", "int8", "uint8")


@dataclass(frozen=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: str = "float32"


@dataclass(frozen=True)
class ModelSpec:
    """A model in the matrix: from the zoo, a user factory, or an already converted file."""

    name: str
    framework: str  # torch, keras, or file (an already converted model)
    source: str  # "zoo" or "user"
    inputs: tuple[TensorSpec, ...] = ()
    factory: str | None = None  # "module:callable" for torch and keras models
    file: Path | None = None  # an already converted model
    weights: Path | None = None  # optional torch state dict
    description: str = ""
    normalization: str = ""  # how inputs are prepared, written into the converted file's metadata
    output_meaning: str = ""
    labels: tuple[str, ...] = ()

    @property
    def file_format(self) -> str | None:
        from harness.runtimes import file_format

        return file_format(self.file) if self.file else None


MODEL_SPEC: TypeAdapter[ModelSpec] = TypeAdapter(ModelSpec)
TENSOR_SPECS: TypeAdapter[tuple[TensorSpec, ...]] = TypeAdapter(tuple[TensorSpec, ...])
