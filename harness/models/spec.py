"""What the harness knows about a model before any framework is imported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FRAMEWORKS = ("torch", "keras", "file")
FILE_FORMATS = {".tflite": "tflite", ".pte": "pte", ".ptl": "ptl"}
DTYPES = ("float32", "int32", "int64", "int8", "uint8")


@dataclass(frozen=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: str = "float32"


@dataclass(frozen=True)
class ModelSpec:
    """A model in the matrix: from the zoo, a user factory, or an already converted file."""

    name: str
    framework: str  # one of FRAMEWORKS
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
        return FILE_FORMATS.get(self.file.suffix) if self.file else None
