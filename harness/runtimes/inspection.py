"""What a converted file holds: operators and their versions, format versions, delegation and metadata.

Each runtime's reader fills these in for its format (`Runtime.load_reader`); they travel between
processes and into the artifact cache as JSON, through pydantic.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from harness.errors import ModelError
from harness.models.spec import DTYPES
from harness.runtimes import file_format, runtime_for_format

METADATA_NAME = "mobile_bench"  # the metadata entry (.tflite), extra file (.ptl) and sidecar suffix (.pte)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")


class Operator(_Record):
    name: str
    count: int  # nodes using it
    version: int | None = None  # TFLite operator version; None where the format has none
    kind: str = "builtin"  # builtin, custom, flex (TensorFlow Select ops), aten, prim


class Delegation(_Record):
    """How much of a graph a delegate took. Nodes are counted in the converter's graph."""

    delegate: str
    total_nodes: int | None
    delegated_nodes: int | None
    fallback_operators: tuple[str, ...]  # operators left on the runtime's own kernels

    @property
    def share(self) -> float | None:
        if not self.total_nodes or self.delegated_nodes is None:
            return None
        return self.delegated_nodes / self.total_nodes


class Inspection(_Record):
    format: str
    size_bytes: int
    format_version: str
    min_runtime_version: str | None
    operators: tuple[Operator, ...]
    backends: tuple[str, ...] = ()  # delegates baked into the file (.pte)
    metadata: dict | None = None
    notes: tuple[str, ...] = ()

    @property
    def custom_operators(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.operators if o.kind in ("custom", "flex"))


def harness_dtype(name: str, path: Path) -> str:
    """A file's input dtype, if the harness can feed it."""
    if name not in DTYPES:
        raise ModelError(f"{path.name} takes a {name} input; the harness feeds {', '.join(DTYPES)}")
    return name


def inspect_file(path: Path) -> Inspection:
    """Read a model file; a file that is not what its suffix says is a ModelError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    kind = file_format(path)
    try:
        return runtime_for_format(kind).load_reader().inspect(path)
    except ModelError:
        raise
    except Exception as error:
        raise ModelError(f"cannot read {path.name} as .{kind}: {type(error).__name__}: {str(error)[:300]}") from error


def sidecar_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.{METADATA_NAME}.json")


def write_matrix_operator_lists(lists: dict[str, list[Path]], folder: Path) -> list[Path]:
    """One selective-build list per format, covering every file of a run: format -> the files' own lists."""
    folder.mkdir(parents=True, exist_ok=True)
    return [runtime_for_format(kind).load_selective_build().combine_operator_lists(sorted(set(paths)), folder)
            for kind, paths in sorted(lists.items()) if paths]
