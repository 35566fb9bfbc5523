"""How many bytes of runtime a cell needed: the files that count, measured by harness/size.py.

- python-package (the host shell): the runtime's native entry module (`Runtime.host_native_module`) and
  the shared libraries it loads (as `ldd` resolves them) that live inside the same package folder.
  Libraries of other packages (torch's, under ExecuTorch's bindings) and the system's are not counted.
- native (the host's C++ runner): the runner and the libraries it loads from the ExecuTorch package.
- app (a phone): the APK's lib/<abi>/*.so for the phone's ABI; on an iPhone, the app's main executable (where
  statically linked runtimes land) and the Mach-O files of its Frameworks/, arm64 slices, from the .app or .ipa.
- full (cli mode on a phone): the runtime's command-line tool as pushed; or, when a named build supplies it
  (harness/builds/named.py), that build's kind, and the tool and the shared libraries its manifest lists, with the
  manifest's figures (their SHA-256 checked before the run).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import plistlib
import re
import subprocess
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from harness.builds.manifest import BuiltFile, binary_total, file_record
from harness.errors import SizeError
from harness.runtimes.base import Runtime
from harness.size import IPA_FRAMEWORK, BinarySize, binary_sizes, macho_sizes, total

if TYPE_CHECKING:
    from harness.builds.named import NamedBuild

LDD_LINE = re.compile(r"^\s*\S+\s+=>\s+(/\S+)\s+\(0x[0-9a-f]+\)$")


@dataclass(frozen=True)
class RuntimeBinary:
    build_id: str
    build_kind: str  # full, selective, python-package or app
    abi: str | None
    files: tuple[str, ...]
    binary_bytes: int
    stripped_bytes: int | None  # None when a file's is not computed (Mach-O)

    def columns(self) -> dict:
        return {"runtime_build_id": self.build_id, "runtime_build_kind": self.build_kind, "runtime_abi": self.abi,
                "runtime_binary_bytes": self.binary_bytes, "runtime_binary_stripped_bytes": self.stripped_bytes}


def measured(build_id: str, kind: str, abi: str | None, sizes: list[BinarySize]) -> RuntimeBinary:
    file_bytes, stripped = total(sizes)
    return RuntimeBinary(build_id, kind, abi, tuple(s.path for s in sizes), file_bytes, stripped)


def loaded_libraries(binary: Path, inside: Path) -> list[Path]:
    """``binary`` and the shared libraries it loads, as ldd resolves them, that lie inside the folder ``inside``."""
    try:
        listing = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise SizeError(f"cannot list the libraries {binary} loads with ldd: {error}") from None
    found = (Path(m.group(1)).resolve() for line in listing.splitlines() if (m := LDD_LINE.match(line)))
    root = inside.resolve()
    return [binary, *sorted({path for path in found if path.is_relative_to(root)})]


def package_folder(name: str) -> Path | None:
    """An installed top-level package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def file_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def python_package_binary(runtime: Runtime, abi: str) -> RuntimeBinary | None:
    """The host shell's runtime: its package's native module and the package's libraries that module loads."""
    if runtime.host_native_module is None:
        return None
    package, pattern = runtime.host_native_module
    folder = package_folder(package)
    entries = sorted(folder.glob(pattern)) if folder else []
    if folder is None or not entries:
        return None
    files = loaded_libraries(entries[0], folder)
    try:
        versions = "+".join(f"{dist}=={version(dist)}" for dist in runtime.packages)
    except PackageNotFoundError:
        versions = package
    return measured(f"python-package:{versions}:{abi}", "python-package", abi,
                    [size for path in files for size in binary_sizes(path)])


def app_binary(apk: Path, package: str, abi: str) -> RuntimeBinary | None:
    """An APK's native libraries for one ABI; None when the APK holds none for it."""
    sizes = [size for size in binary_sizes(apk) if size.abi == abi]
    if not sizes:
        return None
    return measured(f"app:{package}:{abi}:{file_digest([apk])}", "app", abi, sizes)


def ios_app_binary(package: Path, bundle_id: str) -> RuntimeBinary | None:
    """An iOS app's arm64 code: its main executable and its Frameworks' Mach-O files; None when it holds none."""
    try:
        sizes = [size for size in _ios_app_sizes(package) if size.abi == "arm64"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, plistlib.InvalidFileException) as error:
        raise SizeError(f"cannot read the app {package}: {error}") from None
    if not sizes:
        return None
    digest = file_digest([package]) if package.is_file() else file_digest([Path(s.path) for s in sizes])
    return measured(f"app:{bundle_id}:arm64:{digest}", "app", "arm64", sizes)


def _ios_app_sizes(package: Path) -> list[BinarySize]:
    if package.is_dir():
        executable = plistlib.loads((package / "Info.plist").read_bytes())["CFBundleExecutable"]
        frameworks = sorted((package / "Frameworks").glob("*.framework")) if (package / "Frameworks").is_dir() else []
        files = [package / executable, *(f / f.stem for f in frameworks), *sorted(package.glob("Frameworks/*.dylib"))]
        return [size for path in files if path.is_file() for size in binary_sizes(path)]
    with zipfile.ZipFile(package) as archive:
        [info] = [n for n in archive.namelist() if n.count("/") == 2 and n.endswith(".app/Info.plist")]
        member = f"{info.rsplit('/', 1)[0]}/{plistlib.loads(archive.read(info))['CFBundleExecutable']}"
        content = archive.read(member)
        has_frameworks = any(IPA_FRAMEWORK.match(name) for name in archive.namelist())
    main = macho_sizes(io.BytesIO(content), len(content), f"{package}!{member}")
    return main + (binary_sizes(package) if has_frameworks else [])


def built_binary(build_id: str, kind: str, abi: str | None, files: tuple[BuiltFile, ...]) -> RuntimeBinary:
    """Files as a build manifest lists them (harness/builds/manifest.py), their binaries counted."""
    counted = binary_total(files)
    if counted is None:
        raise SizeError(f"none of {', '.join(f.path for f in files)} is a binary")
    return RuntimeBinary(build_id, kind, abi, tuple(f.path for f in files if f.binary), *counted)


def tool_binary(tool: Path, name: str, abi: str | None, build: NamedBuild | None = None) -> RuntimeBinary:
    """A command-line tool as pushed to a phone: a full build measured here, or the named build it came from."""
    if build is not None:
        return built_binary(build.build_id, build.manifest.kind, abi, build.files)
    return built_binary(f"{name}:{file_digest([tool])}", "full", abi, (file_record(tool, binary_sizes(tool)),))
