"""A runtime build's manifest (manifest.json in its folder): what was built or generated, from what, with what."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from harness.errors import SizeError
from harness.size import binary_sizes, total

MANIFEST_FILE = "manifest.json"


class BuiltFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    path: str
    bytes: int
    stripped_bytes: int | None  # None: not a binary (a generated source)
    sha256: str


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

    def binary_bytes(self) -> tuple[int, int] | None:
        binaries = [f for f in self.files if f.stripped_bytes is not None]
        if self.status != "built" or not binaries:
            return None
        return sum(f.bytes for f in binaries), sum(f.stripped_bytes or 0 for f in binaries)


def built_file(path: Path) -> BuiltFile:
    try:
        stripped = total(binary_sizes(path))[1]
    except SizeError:
        stripped = None
    return BuiltFile(path=str(path), bytes=path.stat().st_size, stripped_bytes=stripped,
                     sha256=hashlib.sha256(path.read_bytes()).hexdigest())
