"""What a converted file holds: operators and their versions, format versions, delegation and metadata.

One module per format reads it, embeds the harness's metadata, and writes the operator list that
the runtime's selective build takes. Each imports only what its format needs, on demand.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.errors import ModelError
from harness.models.spec import FILE_FORMATS
from harness.registry import check_known

METADATA_NAME = "mobile_bench"  # the metadata entry (.tflite), extra file (.ptl) and sidecar suffix (.pte)


@dataclass(frozen=True)
class Operator:
    name: str
    count: int  # nodes using it
    version: int | None = None  # TFLite operator version; None where the format has none
    kind: str = "builtin"  # builtin, custom, flex (TensorFlow Select ops), aten, prim


@dataclass(frozen=True)
class Delegation:
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


@dataclass(frozen=True)
class Inspection:
    format: str
    size_bytes: int
    format_version: str
    min_runtime_version: str | None
    operators: tuple[Operator, ...]
    backends: tuple[str, ...] = ()  # delegates baked into the file (.pte)
    metadata: dict | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Inspection":
        return cls(**{**data, "operators": tuple(Operator(**o) for o in data["operators"]),
                      "backends": tuple(data["backends"]), "notes": tuple(data["notes"])})

    @property
    def custom_operators(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.operators if o.kind in ("custom", "flex"))


def delegation_to_json(delegation: Delegation) -> dict:
    return asdict(delegation)


def delegation_from_json(data: dict) -> Delegation:
    return Delegation(**{**data, "fallback_operators": tuple(data["fallback_operators"])})


# Every format module offers: inspect(path), embed_metadata(path, metadata),
# delegation(path, inspection, delegate), write_operator_list(path, inspection, folder)
# and combine_operator_lists(lists, folder).
_MODULES = {"tflite": "harness.formats.tflite", "pte": "harness.formats.pte", "ptl": "harness.formats.ptl"}


def format_module(kind: str):
    check_known("file format", kind, sorted(_MODULES))
    return importlib.import_module(_MODULES[kind])


def file_format(path: Path) -> str:
    name = FILE_FORMATS.get(path.suffix)
    if name is None:
        raise ModelError(f"{path.name}: not a model file the harness reads (it reads {', '.join(FILE_FORMATS)})")
    return name


def inspect_file(path: Path) -> Inspection:
    """Read a model file; a file that is not what its suffix says is a ModelError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    kind = file_format(path)
    try:
        return format_module(kind).inspect(path)
    except ModelError:
        raise
    except Exception as error:
        raise ModelError(f"cannot read {path.name} as .{kind}: {type(error).__name__}: {str(error)[:300]}") from error


def sidecar_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.{METADATA_NAME}.json")


def write_matrix_operator_lists(lists: dict[str, list[Path]], folder: Path) -> list[Path]:
    """One selective-build list per format, covering every file of a run: format -> the files' own lists."""
    folder.mkdir(parents=True, exist_ok=True)
    return [format_module(kind).combine_operator_lists(sorted(set(paths)), folder)
            for kind, paths in sorted(lists.items()) if paths]
