"""A runtime build's manifest (manifest.json in its folder): what was built or generated, from what, with what."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from harness.errors import SizeError
from harness.size import BinarySize, binary_sizes, total

MANIFEST_FILE = "manifest.json"


class BuiltFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    path: str
    bytes: int
    stripped_bytes: int | None  # None: not computed (a Mach-O binary) or not a binary
    sha256: str
    binary: bool  # an ELF or Mach-O file, or a zip of them (harness/size.py reads it)

    @model_validator(mode="before")
    @classmethod
    def _binary_of_old_manifests(cls, data):
        """Manifests written before `binary` existed said "not a binary" by leaving stripped_bytes empty."""
        if isinstance(data, dict) and "binary" not in data:
            return {**data, "binary": data.get("stripped_bytes") is not None}
        return data


def binary_total(files: Iterable[BuiltFile]) -> tuple[int, int | None] | None:
    """(bytes, stripped bytes) of the binaries among ``files``; stripped is None when any one's is unknown (Mach-O),
    never a partial sum. None when there is no binary."""
    binaries = [f for f in files if f.binary]
    if not binaries:
        return None
    stripped = [f.stripped_bytes for f in binaries]
    return sum(f.bytes for f in binaries), None if None in stripped else sum(s for s in stripped if s is not None)


class BuildManifest(BaseModel):
    model_config = ConfigDict(frozen=True)
    key: str
    runtime: str
    version: str
    kind: Literal["full", "selective"]
    abi: str
    operators: list[str]
    toolchain: dict[str, str]
    # built: binaries measured here; generated: sources generated here, no binary; commands: written, not run;
    # not-built: nothing this machine can make (a host selective binary needs a source tree)
    status: Literal["built", "generated", "commands", "not-built"]
    files: list[BuiltFile]
    commands: list[str] = []
    notes: list[str] = []

    def binary_bytes(self) -> tuple[int, int | None] | None:
        return binary_total(self.files) if self.status == "built" else None


def file_record(path: Path, sizes: list[BinarySize] | None) -> BuiltFile:
    """``path`` as a manifest lists it; ``sizes`` its binaries as harness/size.py reads them, None if not a binary."""
    return BuiltFile(path=str(path), bytes=path.stat().st_size, stripped_bytes=total(sizes)[1] if sizes else None,
                     sha256=file_sha256(path), binary=sizes is not None)


def built_file(path: Path) -> BuiltFile:
    try:
        sizes: list[BinarySize] | None = binary_sizes(path)
    except SizeError:
        sizes = None
    return file_record(path, sizes)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
