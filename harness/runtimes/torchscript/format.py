"""TorchScript lite-interpreter files (.ptl): zip archives with bytecode; metadata is an extra file."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from harness.compatibility import RuntimeLimits
from harness.runtimes.base import FormatFunctions
from harness.runtimes.inspection import METADATA_NAME, Delegation, Inspection, Operator

EXTRA_FILE = f"{METADATA_NAME}.json"


def _archive_prefix(archive: zipfile.ZipFile) -> str:
    names = archive.namelist()
    if not names or not any(name.endswith("/bytecode.pkl") for name in names):
        raise ValueError("no bytecode.pkl; this is not a lite-interpreter archive")
    return names[0].split("/")[0]


def read_metadata(path: Path) -> dict | None:
    with zipfile.ZipFile(path) as archive:
        name = f"{_archive_prefix(archive)}/extra/{EXTRA_FILE}"
        return json.loads(archive.read(name)) if name in archive.namelist() else None


def operator_names(path: Path) -> list[str]:
    import torch.jit.mobile as mobile

    return sorted(mobile._get_model_ops_and_info(str(path)))


def inspect(path: Path) -> Inspection:
    import torch

    metadata = read_metadata(path)  # also checks that the file is a lite-interpreter archive
    bytecode = torch._C._get_model_bytecode_version(str(path))
    operators = tuple(Operator(name=name, count=1, kind=name.split("::")[0]) for name in operator_names(path))
    notes = ("operator counts are not recorded in bytecode; each operator counts once",)
    return Inspection(format="ptl", size_bytes=path.stat().st_size, format_version=f"bytecode v{bytecode}",
                      min_runtime_version=None, operators=operators, metadata=metadata, notes=notes)


def embed_metadata(path: Path, metadata: dict) -> None:
    """Rewrite the archive with the metadata as extra/mobile_bench.json, where _extra_files would put it."""
    handle, staged = tempfile.mkstemp(dir=path.parent, suffix=".ptl")
    os.close(handle)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staged, "w", zipfile.ZIP_STORED) as target:
        name = f"{_archive_prefix(source)}/extra/{EXTRA_FILE}"
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, json.dumps(metadata, sort_keys=True))
    os.replace(staged, path)


def delegation(path: Path, inspection: Inspection, delegate: str) -> Delegation:
    return Delegation(delegate="none", total_nodes=len(inspection.operators), delegated_nodes=0,
                      fallback_operators=tuple(op.name for op in inspection.operators))


def input_signature(path: Path) -> None:
    """A .ptl records no input signature: the matrix gives the shapes."""
    return None


def incompatibility(inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
    """A runtime loads bytecode up to the version it supports."""
    bytecode = int(inspection.format_version.removeprefix("bytecode v"))
    if limits.ptl_max_bytecode is not None and bytecode > limits.ptl_max_bytecode:
        return (f"the model is bytecode v{bytecode}; {device}'s lite interpreter loads up to "
                f"v{limits.ptl_max_bytecode} (torch.jit.mobile._backport_for_mobile can lower it)")
    return None


READER = FormatFunctions(inspect, embed_metadata, delegation, input_signature, incompatibility)
