"""A named runtime build: a build folder whose tool cli-mode cells on a phone use instead of `tools:`.

A phone's devices entry names them (`runtime_builds:`), and `harness bench --runtime-build` names more, replacing
the entry's for the same runtime. Each is checked before anything runs: its manifest is there and readable, says
`built`, lists the runtime's tool, and every file that counts (the tool and the shared libraries it lists) still
has the SHA-256 the manifest recorded. The phone's ABI is checked when the run opens (check_abi).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from harness.builds.manifest import MANIFEST_FILE, BuildManifest, BuiltFile, file_sha256
from harness.errors import ConfigError, DeviceError, UnknownNameError

FLAG = "--runtime-build"
NOT_BUILT = {"commands": "its commands were written, not run: run its build.sh on a machine with the checkouts and "
                         "record the outputs (docs/size.md)",
             "generated": "only sources were generated here, no binary (docs/size.md)",
             "not-built": "nothing was built for it (docs/size.md)"}


class RuntimeBuildWarning(UserWarning):
    """A named build that no cell of the run uses."""


@dataclass(frozen=True)
class NamedBuild:
    folder: Path
    manifest: BuildManifest
    tool: BuiltFile  # the runtime's command-line tool, as the manifest lists it
    libraries: tuple[BuiltFile, ...]  # the shared libraries (.so) it lists, pushed beside the tool
    named_by: str  # "--runtime-build", or the devices entry that names it

    @property
    def runtime(self) -> str:
        return self.manifest.runtime

    @property
    def build_id(self) -> str:
        """As the folder says where it is: builds/<runtime>/<abi>/<kind>-<key>."""
        m = self.manifest
        return f"build:{m.runtime}:{m.abi}:{m.kind}-{m.key}"

    @property
    def files(self) -> tuple[BuiltFile, ...]:
        """What a cell of this runtime needs on the phone: the tool and its libraries."""
        return self.tool, *self.libraries

    def describe(self) -> str:
        return f"{self.named_by} {self.folder}"

    def record(self) -> dict:
        """What run.json keeps of it, and what a resume compares (all but the path)."""
        m = self.manifest
        return {"runtime": m.runtime, "path": str(self.folder.resolve()), "key": m.key, "kind": m.kind, "abi": m.abi,
                "tool_sha256": self.tool.sha256}

    def check_files(self) -> None:
        """Each file that counts is where the manifest says, with the bytes it measured."""
        for listed in self.files:
            path = Path(listed.path)
            if not path.is_file():
                raise ConfigError(f"{self.describe()}: {path}, which its manifest lists, is missing")
            if file_sha256(path) != listed.sha256:
                raise ConfigError(f"{self.describe()}: {path} changed after the build was measured (its SHA-256 "
                                  f"is not the manifest's): build it again with `harness runtimes build`")

    def check_abi(self, phone_abi: str, device: str) -> None:
        if self.manifest.abi != phone_abi:
            raise DeviceError(f"{self.describe()} is built for {self.manifest.abi}, but {device} is {phone_abi}: "
                              f"name a build for {phone_abi} (harness runtimes build --abi {phone_abi})")


def _manifest(folder: Path, named_by: str) -> BuildManifest:
    where = f"{named_by} {folder}"
    if not folder.is_dir():
        raise ConfigError(f"{where}: no such build folder (`harness runtimes build` writes "
                          "builds/<runtime>/<abi>/<kind>-<key>/)")
    try:
        text = (folder / MANIFEST_FILE).read_bytes()
    except OSError as error:
        raise ConfigError(f"{where}: cannot read its {MANIFEST_FILE}: {error.strerror}") from None
    try:
        return BuildManifest.model_validate_json(text)
    except ValidationError as error:
        first = str(error).splitlines()[:3]
        raise ConfigError(f"{where}: its {MANIFEST_FILE} is not a build manifest ({' '.join(first)})") from None


def _tool_name(manifest: BuildManifest, where: str) -> str:
    from harness.runtimes import runtime

    try:
        tool = runtime(manifest.runtime).load_tool()
    except UnknownNameError as error:
        raise ConfigError(f"{where}: a build of {error}") from None
    if tool is None:
        raise ConfigError(f"{where}: {manifest.runtime} has no command-line tool for phones to take from it")
    return tool.name


def load_named_build(folder: Path, named_by: str) -> NamedBuild:
    """The build in ``folder``, checked; a ConfigError naming the folder and what to do otherwise."""
    manifest, where = _manifest(folder, named_by), f"{named_by} {folder}"
    if manifest.status != "built":
        raise ConfigError(f"{where}: its status is {manifest.status}, not built: {NOT_BUILT[manifest.status]}")
    name = _tool_name(manifest, where)
    tools = [f for f in manifest.files if Path(f.path).name == name]
    if not tools:
        raise ConfigError(f"{where}: its manifest lists no {name}, the tool cli mode runs for {manifest.runtime}")
    libraries = tuple(f for f in manifest.files if f.binary and ".so" in Path(f.path).suffixes)
    build = NamedBuild(folder, manifest, tools[0], libraries, named_by)
    build.check_files()
    return build


def _by_runtime(folders: Iterable[Path], named_by: str) -> dict[str, NamedBuild]:
    builds: dict[str, NamedBuild] = {}
    for folder in folders:
        build = load_named_build(Path(folder), named_by)
        if build.runtime in builds:
            raise ConfigError(f"{named_by} names two {build.runtime} builds, {builds[build.runtime].folder} and "
                              f"{folder}: name one build per runtime")
        builds[build.runtime] = build
    return builds


def named_builds(entry_folders: Sequence[Path], flag_folders: Sequence[Path], device: str) -> dict[str, NamedBuild]:
    """By runtime: the builds a devices entry names, and those of --runtime-build, which replace the entry's."""
    return {**_by_runtime(entry_folders, f"runtime_builds of device {device}"), **_by_runtime(flag_folders, FLAG)}


def warn_of_unused(builds: dict[str, NamedBuild], runtimes_run: set[str], device: str) -> None:
    """A warning, not an error: a devices entry serves every matrix run on the phone, so one naming a build for a
    runtime this matrix does not run is ordinary; no row or run.json claims a build its cells did not run on."""
    for runtime, build in sorted(builds.items()):
        if runtime not in runtimes_run:
            warnings.warn(f"{build.describe()}: no {runtime} cell runs on {device} in this matrix, so the build is "
                          "not used", RuntimeBuildWarning, stacklevel=2)
